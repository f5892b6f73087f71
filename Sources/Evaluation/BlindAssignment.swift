import Essentials

/// Which model is shown as A on each item of a blind comparison, drawn from a seed.
///
/// Item i shows the second model as A when `swapped[i]`; the draw is a fair coin per item from
/// `SplitMix64(seed)`, so the same seed and item count give the same order everywhere (the seed is
/// recorded in the notebook; the order is not shown to the rater until unblinding).
public struct BlindAssignment: Sendable, Equatable, Codable {
    /// The two models compared, e.g. `["base", "tuned"]`.
    public var models: [String]
    public var seed: UInt64
    public private(set) var swapped: [Bool]

    public init(models: [String], itemCount: Int, seed: UInt64) {
        precondition(models.count == 2, "a blind comparison has exactly two models, got \(models.count)")
        self.models = models
        self.seed = seed
        var generator = SplitMix64(seed: seed)
        swapped = (0..<itemCount).map { _ in generator.next() >> 63 == 1 }
    }

    /// Index into `models` of the model shown as A (or B) on an item.
    public func modelIndex(item: Int, label: Preference.Side) -> Int {
        let aIndex = swapped[item] ? 1 : 0
        return label == .a ? aIndex : 1 - aIndex
    }

    /// The model name behind a label on an item.
    public func model(item: Int, label: Preference.Side) -> String {
        models[modelIndex(item: item, label: label)]
    }
}

/// A rater's preference between the two blinded outputs.
public enum Preference: String, Sendable, Codable, CaseIterable {
    case a, b, tie

    public enum Side: String, Sendable, Codable { case a, b }
}
