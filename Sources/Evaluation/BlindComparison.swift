import Essentials

/// A chance-corrected agreement figure and what it was computed on.
public struct AgreementFigure: Sendable, Equatable, Codable {
    /// `cohen` (two raters) or `fleiss` (three or more).
    public var statistic: String
    /// What was labelled: `preference` or a rubric criterion name.
    public var on: String
    /// nil when undefined (all ratings in one category).
    public var kappa: Double?
    public var subjects: Int
    public var raters: Int
    /// The share of agreeing ratings (Cohen: subjects both raters labelled alike; Fleiss: agreeing
    /// rater pairs) and the share chance alone would give (see `Agreement.Measure`).
    public var observed: Double?
    public var chance: Double?

    /// κ is near 0 only because almost every rating is the same (chance agreement at least 0.8)
    /// while the raters do agree (observed at least 0.8): the kappa paradox, not disagreement.
    public var lowKappaFromPrevalence: Bool {
        guard let kappa, let observed, let chance else { return false }
        return kappa < 0.2 && observed >= 0.8 && chance >= 0.8
    }
}

/// Mean rubric score of each model on one criterion.
public struct CriterionMeans: Sendable, Equatable, Codable {
    public var criterion: String
    /// One mean per model, in `models` order; nil when nobody scored that criterion.
    public var means: [Double?]
    /// The 95% interval of each mean (see `MeanInterval`); nil with fewer than two scores.
    public var intervals: [MeanInterval?] = []
    /// Scores behind each mean.
    public var counts: [Int] = []
}

/// The challenger's win rate on the items of one category.
public struct CategoryWinRate: Sendable, Equatable, Codable {
    public var category: String
    public var items: Int
    public var winRate: Double
    public var interval: WilsonInterval?
}

/// The unblinded result of a blind A/B evaluation.
///
/// **Win rate** is that of the second model (the challenger, e.g. "tuned") over the first. Each
/// rating scores the challenger 1 (preferred), ½ (tie) or 0; an item's score is the mean over its
/// raters, and the win rate is the mean over rated items, so several raters do not inflate the
/// sample size. The 95% Wilson interval uses that proportion with n = items rated. For reference
/// `decisiveWinRate` = wins / (wins + losses) over all ratings, ties left out, with its own
/// Wilson interval (n = decisive ratings).
///
/// **Agreement** is computed on unblinded labels: the preferred model's name or "tie". With two
/// raters: Cohen's kappa on the items both rated; with three or more: Fleiss' kappa on the items
/// every rater rated. Rubric scores get the same statistic per criterion, each (item, model)
/// output a subject and the scores taken as nominal categories (unweighted: 4 vs 5 is as much a
/// disagreement as 1 vs 5).
public struct BlindComparison: Sendable, Equatable, Codable {
    public var models: [String]
    public var raters: [String]
    public var itemsRated: Int
    public var ratingCount: Int
    public var criteria: [CriterionMeans]
    /// Win rates per item category (items without one under `StratifiedSample.uncategorized`),
    /// in name order; empty when no item has a category.
    public var byCategory: [CategoryWinRate] = []
    /// Ratings preferring the challenger, the first model, or neither.
    public var wins: Int
    public var losses: Int
    public var ties: Int
    public var winRate: Double?
    public var winRateInterval: WilsonInterval?
    public var decisiveWinRate: Double?
    public var decisiveInterval: WilsonInterval?
    public var preferenceAgreement: AgreementFigure?
    public var scoreAgreement: [AgreementFigure]
    public var warnings: [String]

    /// The guide's minimum number of compared examples before trusting a result.
    public static let minimumItems = 100

    init(session: BlindSession) {
        let assignment = session.assignment
        models = assignment.models
        var raterNames: [String] = []
        for rating in session.ratings where !raterNames.contains(rating.rater) { raterNames.append(rating.rater) }
        raters = raterNames
        ratingCount = session.ratings.count

        // Preferences in model terms.
        func preferred(_ rating: BlindRating) -> String {
            switch rating.preference {
            case .tie: return "tie"
            case .a: return assignment.model(item: rating.item, label: .a)
            case .b: return assignment.model(item: rating.item, label: .b)
            }
        }
        let challenger = models[1]
        var itemScores: [Int: [Double]] = [:]
        wins = 0
        losses = 0
        ties = 0
        for rating in session.ratings {
            let label = preferred(rating)
            let score: Double = label == "tie" ? 0.5 : (label == challenger ? 1 : 0)
            itemScores[rating.item, default: []].append(score)
            if label == "tie" { ties += 1 } else if label == challenger { wins += 1 } else { losses += 1 }
        }
        itemsRated = itemScores.count
        let itemScore = itemScores.mapValues { $0.reduce(0, +) / Double($0.count) }
        if itemsRated > 0 {
            // Summed in item order, so the same ratings give the same bits in any order.
            let rate = itemScore.keys.sorted().map { itemScore[$0]! }.reduce(0, +) / Double(itemsRated)
            winRate = rate
            winRateInterval = WilsonInterval(proportion: rate, trials: itemsRated)
        }
        if session.items.contains(where: { $0.category != nil }) {
            let grouped = Dictionary(grouping: itemScore.keys.sorted()) { session.items[$0].category ?? StratifiedSample.uncategorized }
            byCategory = grouped.keys.sorted().map { name in
                let items = grouped[name]!
                let rate = items.map { itemScore[$0]! }.reduce(0, +) / Double(items.count)
                return CategoryWinRate(category: name, items: items.count, winRate: rate,
                                       interval: WilsonInterval(proportion: rate, trials: items.count))
            }
        }
        if wins + losses > 0 {
            decisiveWinRate = Double(wins) / Double(wins + losses)
            decisiveInterval = WilsonInterval(successes: Double(wins), trials: wins + losses)
        }

        // Rubric means per model.
        criteria = session.rubric.criteria.enumerated().map { index, criterion in
            var scores: [[Double]] = [[], []]
            for rating in session.ratings where !rating.scoresA.isEmpty {
                let aModel = assignment.modelIndex(item: rating.item, label: .a)
                scores[aModel].append(Double(rating.scoresA[index]))
                scores[1 - aModel].append(Double(rating.scoresB[index]))
            }
            let means = scores.map { $0.isEmpty ? nil : $0.reduce(0, +) / Double($0.count) }
            return CriterionMeans(criterion: criterion.name, means: means, intervals: scores.map { MeanInterval(scores: $0) },
                                  counts: scores.map(\.count))
        }

        // Agreement.
        let byRater = Dictionary(grouping: session.ratings, by: \.rater)
            .mapValues { Dictionary($0.map { ($0.item, $0) }, uniquingKeysWith: { _, last in last }) }
        func agreement(on name: String, labels: (BlindRating) -> [String]?) -> AgreementFigure? {
            guard raterNames.count >= 2 else { return nil }
            func rating(_ rater: String, _ item: Int) -> BlindRating? { byRater[rater]?[item] }
            let shared = Set(session.ratings.map(\.item)).filter { (item: Int) -> Bool in
                raterNames.allSatisfy { (rater: String) -> Bool in
                    guard let r = rating(rater, item) else { return false }
                    return labels(r) != nil
                }
            }.sorted()
            let perRater: [[String]] = raterNames.map { (rater: String) -> [String] in
                shared.flatMap { (item: Int) -> [String] in labels(rating(rater, item)!)! }
            }
            let subjects = perRater.first?.count ?? 0
            guard subjects > 0 else { return nil }
            if raterNames.count == 2 {
                let measure = Agreement.cohen(perRater[0], perRater[1])
                return AgreementFigure(statistic: "cohen", on: name, kappa: measure?.kappa, subjects: subjects, raters: 2,
                                       observed: measure?.observed, chance: measure?.chance)
            }
            let table = (0..<subjects).map { subject in perRater.map { $0[subject] } }
            let measure = Agreement.fleiss(labels: table)
            return AgreementFigure(statistic: "fleiss", on: name, kappa: measure?.kappa, subjects: subjects, raters: raterNames.count,
                                   observed: measure?.observed, chance: measure?.chance)
        }
        preferenceAgreement = agreement(on: "preference") { [preferred($0)] }
        scoreAgreement = session.rubric.criteria.enumerated().compactMap { index, criterion in
            agreement(on: criterion.name) { rating in
                guard !rating.scoresA.isEmpty else { return nil }
                // Subjects in model order: (item, first model), (item, second model).
                let aModel = assignment.modelIndex(item: rating.item, label: .a)
                let byModel = aModel == 0 ? [rating.scoresA[index], rating.scoresB[index]]
                    : [rating.scoresB[index], rating.scoresA[index]]
                return byModel.map(String.init)
            }
        }

        warnings = []
        if itemsRated < Self.minimumItems {
            warnings.append("Only \(itemsRated) items rated: the guide asks for at least \(Self.minimumItems) before trusting a win rate.")
        }
        if let figure = preferenceAgreement, let kappa = figure.kappa, kappa < 0.2 {
            let observed = figure.observed.map { "; they agree on \(NumberText.percent($0)) of items, chance alone gives \(NumberText.percent(figure.chance ?? 0))" } ?? ""
            if figure.lowKappaFromPrevalence {
                warnings.append("κ on preferences is \(NumberText.significant(kappa, digits: 2)) although the raters agree on \(NumberText.percent(figure.observed!)) of items: "
                                + "nearly every preference is the same, so chance alone already agrees \(NumberText.percent(figure.chance!)) and κ cannot show agreement "
                                + "(the kappa paradox); read the raw agreement, and add items where the two models are closer before relying on κ.")
            } else {
                warnings.append("Raters barely agree on preferences (κ = \(NumberText.significant(kappa, digits: 2))\(observed)): sharpen the rubric or brief the raters.")
            }
        }
    }

    /// A short plain summary.
    public var text: String {
        var lines: [String] = ["blind comparison: \(models[1]) vs \(models[0]), \(itemsRated) items, \(ratingCount) ratings, \(raters.count) raters"]
        if let winRate, let interval = winRateInterval {
            lines.append("  \(models[1]) win rate \(NumberText.percent(winRate)) (95% CI \(NumberText.percent(interval.lower))-\(NumberText.percent(interval.upper))); wins \(wins), losses \(losses), ties \(ties)")
        }
        for criterion in criteria where criterion.means.contains(where: { $0 != nil }) {
            let values = zip(models, criterion.means).map { "\($0) \($1.map { NumberText.significant($0) } ?? "-")" }
            lines.append("  \(criterion.criterion): " + values.joined(separator: ", "))
        }
        for figure in [preferenceAgreement].compactMap({ $0 }) + scoreAgreement {
            let value = figure.kappa.map { "\(NumberText.significant($0, digits: 2)) (\(Agreement.interpretation($0)))" } ?? "undefined"
            lines.append("  agreement on \(figure.on): \(figure.statistic) κ = \(value), \(figure.subjects) subjects")
        }
        lines += warnings.map { "  warning: " + $0 }
        return lines.joined(separator: "\n")
    }
}
