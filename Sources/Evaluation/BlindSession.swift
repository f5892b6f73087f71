/// One prompt with the two models' outputs, in the order of `BlindAssignment.models`.
public struct BlindItem: Sendable, Equatable, Codable {
    public var id: String
    public var prompt: String
    public var outputs: [String]
    /// The stratum the item was drawn from (its category), for per-category win rates.
    public var category: String?

    public init(id: String, prompt: String, outputs: [String], category: String? = nil) {
        precondition(outputs.count == 2, "a blind item needs two outputs, got \(outputs.count)")
        self.id = id
        self.prompt = prompt
        self.outputs = outputs
        self.category = category
    }
}

/// What a rater sees: the prompt and two outputs labelled A and B, nothing about the models.
public struct BlindPresentation: Sendable, Equatable {
    public var item: Int
    public var id: String
    public var prompt: String
    public var a: String
    public var b: String
}

/// One rater's judgement of one item, in blinded terms: preference and rubric scores for A and B
/// (in rubric order).
public struct BlindRating: Sendable, Equatable, Codable {
    public var rater: String
    public var item: Int
    public var preference: Preference
    public var scoresA: [Int]
    public var scoresB: [Int]

    public init(rater: String, item: Int, preference: Preference, scoresA: [Int] = [], scoresB: [Int] = []) {
        self.rater = rater
        self.item = item
        self.preference = preference
        self.scoresA = scoresA
        self.scoresB = scoresB
    }
}

/// A rating the session cannot accept.
public enum BlindRatingError: Error, Sendable, Equatable, CustomStringConvertible {
    case noSuchItem(Int, count: Int)
    case wrongScoreCount(expected: Int, got: Int)
    case scoreOutOfScale(criterion: String, score: Int, scale: ClosedRange<Int>)

    public var description: String {
        switch self {
        case let .noSuchItem(item, count): return "no item \(item + 1): there are \(count)"
        case let .wrongScoreCount(expected, got): return "expected \(expected) scores (one per criterion), got \(got)"
        case let .scoreOutOfScale(criterion, score, scale):
            return "\(criterion) score \(score) is outside \(scale.lowerBound)-\(scale.upperBound)"
        }
    }
}

/// A blind A/B evaluation: items, the hidden assignment, the rubric and the ratings so far.
/// Recorded in notebooks (Codable); `unblind()` computes the results.
public struct BlindSession: Sendable, Equatable, Codable {
    public var items: [BlindItem]
    public var rubric: Rubric
    public var assignment: BlindAssignment
    public private(set) var ratings: [BlindRating] = []

    /// `items[i].outputs` are in the order of `models`.
    public init(models: [String], items: [BlindItem], rubric: Rubric = .standard, seed: UInt64) {
        self.items = items
        self.rubric = rubric
        assignment = BlindAssignment(models: models, itemCount: items.count, seed: seed)
    }

    /// The blinded view of an item.
    public func presentation(of item: Int) -> BlindPresentation {
        let entry = items[item]
        return BlindPresentation(item: item, id: entry.id, prompt: entry.prompt,
                                 a: entry.outputs[assignment.modelIndex(item: item, label: .a)],
                                 b: entry.outputs[assignment.modelIndex(item: item, label: .b)])
    }

    /// Records a rating; a second rating by the same rater of the same item replaces the first.
    /// Scores may be empty (preference only) or give one score per criterion for both outputs.
    public mutating func record(_ rating: BlindRating) throws(BlindRatingError) {
        guard items.indices.contains(rating.item) else { throw .noSuchItem(rating.item, count: items.count) }
        for scores in [rating.scoresA, rating.scoresB] where !scores.isEmpty {
            guard scores.count == rubric.criteria.count else {
                throw .wrongScoreCount(expected: rubric.criteria.count, got: scores.count)
            }
            for (criterion, score) in zip(rubric.criteria, scores) where !criterion.scale.contains(score) {
                throw .scoreOutOfScale(criterion: criterion.name, score: score, scale: criterion.scale)
            }
        }
        guard rating.scoresA.isEmpty == rating.scoresB.isEmpty else {
            throw .wrongScoreCount(expected: rubric.criteria.count, got: 0)
        }
        ratings.removeAll { $0.rater == rating.rater && $0.item == rating.item }
        ratings.append(rating)
    }

    /// The results with model names restored.
    public func unblind() -> BlindComparison {
        BlindComparison(session: self)
    }
}
