/// Chance-corrected inter-rater agreement on nominal labels.
///
/// Both statistics are `κ = (P̄ − P̄ₑ) / (1 − P̄ₑ)`: observed agreement minus the agreement expected
/// by chance, over the most that could be gained above chance. 1 is perfect agreement, 0 chance
/// level, negative worse than chance. Undefined (nil) when chance agreement is already 1 (every
/// rating in one category) or there is nothing to compare.
public enum Agreement {
    /// Observed agreement pₒ, the agreement chance alone would give pₑ, and κ = (pₒ − pₑ)/(1 − pₑ)
    /// (nil when pₑ = 1). Both proportions are shown beside κ because κ alone misleads when almost
    /// every rating is the same (the "kappa paradox", Feinstein & Cicchetti 1990): pₑ is then near
    /// 1 and κ near 0 however often the raters agree.
    public struct Measure: Sendable, Equatable {
        public var observed: Double
        public var chance: Double
        public var kappa: Double? { chance < 1 ? (observed - chance) / (1 - chance) : nil }
    }

    /// Cohen's agreement for two raters labelling the same subjects (Cohen 1960).
    ///
    ///     pₒ = (1/N) Σᵢ [aᵢ = bᵢ]
    ///     pₑ = Σ_k (n_ak/N)(n_bk/N)        (each rater's own marginal distribution)
    public static func cohen<Label: Hashable>(_ first: [Label], _ second: [Label]) -> Measure? {
        precondition(first.count == second.count, "Cohen's kappa needs paired labels: \(first.count) vs \(second.count)")
        guard !first.isEmpty else { return nil }
        let n = Double(first.count)
        let observed = Double(zip(first, second).filter { $0 == $1 }.count) / n
        var countsA: [Label: Double] = [:]
        var countsB: [Label: Double] = [:]
        for label in first { countsA[label, default: 0] += 1 }
        for label in second { countsB[label, default: 0] += 1 }
        let expected = countsA.reduce(0.0) { sum, entry in sum + (entry.value / n) * ((countsB[entry.key] ?? 0) / n) }
        return Measure(observed: observed, chance: min(expected, 1))
    }

    /// Cohen's kappa (see `cohen`); nil when undefined.
    public static func cohensKappa<Label: Hashable>(_ first: [Label], _ second: [Label]) -> Double? {
        cohen(first, second)?.kappa
    }

    /// Fleiss' kappa for a fixed number m ≥ 2 of ratings per subject (Fleiss 1971), from a table
    /// `counts[i][j]` = number of raters who put subject i in category j (each row sums to m).
    ///
    ///     Pᵢ = (Σⱼ nᵢⱼ² − m) / (m(m − 1))      agreement on subject i
    ///     P̄ = mean of Pᵢ,   pⱼ = Σᵢ nᵢⱼ / (N·m),   P̄ₑ = Σⱼ pⱼ²
    public static func fleissKappa(counts: [[Int]]) -> Double? {
        fleiss(counts: counts)?.kappa
    }

    /// Fleiss' agreement (see `fleissKappa(counts:)`): pₒ = P̄, the mean share of agreeing rater
    /// pairs per subject; pₑ = P̄ₑ from the pooled category shares.
    public static func fleiss(counts: [[Int]]) -> Measure? {
        guard let m = counts.first?.reduce(0, +), m >= 2 else { return nil }
        precondition(counts.allSatisfy { $0.reduce(0, +) == m }, "Fleiss' kappa needs the same number of ratings per subject")
        let categories = counts.map(\.count).max() ?? 0
        let subjects = Double(counts.count)
        let md = Double(m)
        let pBar = counts.map { row in
            (Double(row.map { $0 * $0 }.reduce(0, +)) - md) / (md * (md - 1))
        }.reduce(0, +) / subjects
        var pe = 0.0
        for j in 0..<categories {
            let pj = Double(counts.map { j < $0.count ? $0[j] : 0 }.reduce(0, +)) / (subjects * md)
            pe += pj * pj
        }
        return Measure(observed: pBar, chance: min(pe, 1))
    }

    /// Fleiss' kappa from labels: `labels[i]` holds the m labels subject i received.
    public static func fleissKappa<Label: Hashable>(labels: [[Label]]) -> Double? {
        fleiss(labels: labels)?.kappa
    }

    /// Fleiss' agreement from labels: `labels[i]` holds the m labels subject i received.
    public static func fleiss<Label: Hashable>(labels: [[Label]]) -> Measure? {
        var categories: [Label] = []
        for row in labels { for label in row where !categories.contains(label) { categories.append(label) } }
        let counts = labels.map { row in categories.map { category in row.filter { $0 == category }.count } }
        return fleiss(counts: counts)
    }

    /// A plain reading of κ (Landis & Koch 1977 bands).
    public static func interpretation(_ kappa: Double) -> String {
        switch kappa {
        case ..<0: return "worse than chance"
        case ..<0.2: return "slight"
        case ..<0.4: return "fair"
        case ..<0.6: return "moderate"
        case ..<0.8: return "substantial"
        default: return "almost perfect"
        }
    }
}
