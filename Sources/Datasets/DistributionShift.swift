import Foundation

/// How far one distribution over the same bins moved from another: the population stability
/// index and the Kullback–Leibler divergence, with the usual PSI bands.
///
/// Both work on proportions per bin. An empty bin would make the logarithm infinite, so every
/// proportion is floored at `floor` (10⁻⁴ by default) and the proportions renormalised — the
/// convention credit-scoring PSI tables use.
public enum DistributionShift {
    /// The floor for an empty bin's proportion.
    public static let defaultFloor = 1e-4

    /// `counts` as proportions summing to 1 (all zeros stay zeros).
    public static func proportions(_ counts: [Int]) -> [Double] {
        let total = counts.reduce(0, +)
        guard total > 0 else { return counts.map { _ in 0 } }
        return counts.map { Double($0) / Double(total) }
    }

    /// Population stability index of `actual` against `expected` (proportions over the same
    /// bins): PSI = Σᵢ (aᵢ − eᵢ) · ln(aᵢ / eᵢ). Symmetric, 0 when equal.
    public static func psi(expected: [Double], actual: [Double], floor: Double = defaultFloor) -> Double {
        precondition(expected.count == actual.count, "PSI needs the same bins on both sides")
        let e = floored(expected, floor), a = floored(actual, floor)
        return zip(a, e).reduce(0) { $0 + ($1.0 - $1.1) * log($1.0 / $1.1) }
    }

    /// KL(p ‖ q) = Σᵢ pᵢ · ln(pᵢ / qᵢ) in nats: the information lost when `q` (the training data)
    /// stands in for `p` (the new data).
    public static func klDivergence(_ p: [Double], from q: [Double], floor: Double = defaultFloor) -> Double {
        precondition(p.count == q.count, "KL needs the same bins on both sides")
        let pf = floored(p, floor), qf = floored(q, floor)
        return zip(pf, qf).reduce(0) { $0 + $1.0 * log($1.0 / $1.1) }
    }

    /// The usual reading of a PSI value.
    public enum Band: String, Sendable, Hashable {
        /// Below 0.1: no meaningful shift.
        case stable
        /// 0.1 to 0.25: a moderate shift worth a look.
        case moderate
        /// 0.25 or more: a major shift.
        case major

        public init(psi: Double) {
            self = psi < 0.1 ? .stable : psi < 0.25 ? .moderate : .major
        }
    }

    /// Proportions with each one at least `floor`, renormalised to sum to 1.
    static func floored(_ proportions: [Double], _ floor: Double) -> [Double] {
        let raised = proportions.map { max($0, floor) }
        let total = raised.reduce(0, +)
        return raised.map { $0 / total }
    }

    /// Bin edges for comparing with `reference`: one below its smallest value, its distinct
    /// deciles, and its largest value, so each inner bin holds about a tenth of the reference and
    /// the outer two catch values outside its range (empty for the reference itself). Bin i is
    /// `edges[i-1] < v ≤ edges[i]` (the first from -∞, the last above the largest value).
    public static func decileEdges(_ reference: [Int], bins: Int = 10) -> [Int] {
        let sorted = reference.sorted()
        guard let smallest = sorted.first, let largest = sorted.last, bins > 1 else { return [] }
        var edges = [smallest - 1]
        for k in 1..<bins {
            let value = sorted[min(sorted.count - 1, (k * sorted.count) / bins)]
            if edges.last != value, value != largest { edges.append(value) }
        }
        edges.append(largest)
        return edges
    }

    /// How many of `values` fall in each bin of `edges` (`edges.count + 1` bins, see `decileEdges`).
    public static func histogram(_ values: [Int], edges: [Int]) -> [Int] {
        var counts = [Int](repeating: 0, count: edges.count + 1)
        for value in values {
            var bin = 0
            while bin < edges.count, value > edges[bin] { bin += 1 }
            counts[bin] += 1
        }
        return counts
    }
}
