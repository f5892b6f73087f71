import Essentials
import Evaluation
import Foundation

/// A blind review of two models' replies (`review A B`), open until every item is rated or
/// skipped (`review end` finishes it early), kept in the session so `review resume`, `review
/// export` and `review import` continue it.
///
/// `items[i].outputs` are in model order (`models[0]` the baseline, `models[1]` the challenger
/// whose win rate is reported). Which one a rater sees as A is the key: `SplitMix64(keySeed)`, a
/// fair coin per item (`BlindAssignment`). The key seed is drawn at random, not from the session
/// seed, so nobody can compute it from the notebook; it lives in the sidecar
/// `NAME.review-key.json` (and in memory) while the review is open and is written into the
/// notebook when it ends. `keySeed` is nil where it is not known: a replay of a notebook whose
/// review never ended, or a session reopened with `attune open` before `review resume` reads the
/// sidecar.
public struct OpenReview {
    /// `r` and 8 hex digits from the models, item ids and rubric: rating files name it.
    var id: String
    var models: [String]
    /// What answered on each side (`tiny, no adapter`).
    var labels: [String]
    var setName: String
    var items: [BlindItem]
    var rubric: Rubric
    var keySeed: UInt64?
    /// The name the REPL's rater records under.
    var rater: String
    /// Ratings in blinded terms, the REPL rater's and, after `review import`, other raters'.
    var ratings: [BlindRating] = []
    /// Items the REPL rater skipped (0-based).
    var skipped: Set<Int> = []
    /// True once the key is in the notebook and the result shown.
    var ended = false

    init(models: [String], labels: [String], setName: String, items: [BlindItem], rubric: Rubric, keySeed: UInt64?, rater: String) {
        self.models = models
        self.labels = labels
        self.setName = setName
        self.items = items
        self.rubric = rubric
        self.keySeed = keySeed
        self.rater = rater
        id = Self.identifier(models: models, ids: items.map(\.id), rubric: rubric)
    }

    /// `r` + FNV-1a of the models, item ids and criteria (8 hex digits): the same sample of the
    /// same evaluations gives the same id on replay, so shipped rating files still match.
    static func identifier(models: [String], ids: [String], rubric: Rubric) -> String {
        let text = (models + ["|"] + ids + ["|"] + rubric.names).joined(separator: "\u{1F}")
        return "r" + String(String(FNV1a.hash(text), radix: 16).suffix(8))
    }

    /// The hidden order, when the key is known.
    var assignment: BlindAssignment? {
        keySeed.map { BlindAssignment(models: models, itemCount: items.count, seed: $0) }
    }

    /// Items the REPL rater has neither rated nor skipped, in review order.
    var pending: [Int] {
        let rated = Set(ratings.filter { $0.rater == rater }.map(\.item))
        return items.indices.filter { !rated.contains($0) && !skipped.contains($0) }
    }

    /// Raters in the order they first rated.
    var raters: [String] {
        var names: [String] = []
        for rating in ratings where !names.contains(rating.rater) { names.append(rating.rater) }
        return names
    }

    /// A rating checked against the items and rubric (as `BlindSession.record` checks it).
    mutating func record(_ rating: BlindRating) throws(BlindRatingError) {
        var check = BlindSession(models: models, items: items, rubric: rubric, seed: 0)
        try check.record(rating)
        ratings.removeAll { $0.rater == rating.rater && $0.item == rating.item }
        ratings.append(rating)
        skipped.remove(rating.item)
    }

    /// The unblinded result; nil while the key is unknown.
    func comparison() -> BlindComparison? {
        guard let keySeed else { return nil }
        var session = BlindSession(models: models, items: items, rubric: rubric, seed: keySeed)
        for rating in ratings { try? session.record(rating) }
        return session.unblind()
    }

    /// The key as the notebook records it when the review ends: the seed, and the model shown
    /// as A on each item (so a reader sees the order without recomputing it).
    func keyRecord() -> JSONValue? {
        guard let assignment else { return nil }
        return .object([
            ("review", .string(id)),
            ("key_seed", .string(String(assignment.seed))),
            ("a_is", .array(items.indices.map { .string(assignment.model(item: $0, label: .a)) })),
        ])
    }
}
