import Essentials

/// A seeded sample stratified by category: every category gets a share of the sample in
/// proportion to its size, so a review of 100 replies sees the rare categories too.
///
/// Allocation of `count` among k categories of sizes s₁…s_k (Σ sⱼ = N ≥ count):
///
///     count ≥ k:  one each, then the other count − k by largest remainder on (sⱼ − 1)
///                 (quota qⱼ = (count − k)(sⱼ − 1)/Σ(s − 1); floors first, then the largest
///                 fractional parts, ties to the category that sorts first)
///     count < k:  one each to the `count` largest categories (ties by name)
///
/// Within each category the examples are shuffled with `SplitMix64(seed)` (categories in name
/// order) and the first allocated ones taken; the whole sample is shuffled once more so the
/// rater does not meet the categories in blocks. The same seed and input give the same sample.
public enum StratifiedSample {
    /// The label of examples with no category.
    public static let uncategorized = "(none)"

    /// How many examples each category contributes, by category name.
    public static func allocation(sizes: [String: Int], count: Int) -> [String: Int] {
        let names = sizes.keys.sorted()
        let total = sizes.values.reduce(0, +)
        guard count < total else { return sizes }
        guard count > 0 else { return Dictionary(uniqueKeysWithValues: names.map { ($0, 0) }) }
        if count < names.count {
            let largest = names.sorted { (sizes[$0]!, $1) > (sizes[$1]!, $0) }.prefix(count)
            return Dictionary(uniqueKeysWithValues: names.map { ($0, largest.contains($0) ? 1 : 0) })
        }
        let rest = count - names.count
        let spare = names.map { sizes[$0]! - 1 }
        let spareTotal = spare.reduce(0, +)
        var shares = spare.map { spareTotal == 0 ? 0 : rest * $0 / spareTotal }
        let remainders = spare.enumerated().map { index, s in
            (index: index, remainder: spareTotal == 0 ? 0 : rest * s - shares[index] * spareTotal)
        }
        var left = rest - shares.reduce(0, +)
        for entry in remainders.sorted(by: { ($0.remainder, -$0.index) > ($1.remainder, -$1.index) }) where left > 0 {
            guard shares[entry.index] < spare[entry.index] else { continue }
            shares[entry.index] += 1
            left -= 1
        }
        return Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, shares[$0] + 1) })
    }

    /// Indices into `categories` of a stratified sample of `count` (every index when count ≥ the
    /// number of examples), in a seeded shuffled order.
    public static func draw(categories: [String?], count: Int, seed: UInt64) -> [Int] {
        var members: [String: [Int]] = [:]
        for (index, category) in categories.enumerated() { members[category ?? uncategorized, default: []].append(index) }
        let shares = allocation(sizes: members.mapValues(\.count), count: count)
        var generator = SplitMix64(seed: seed)
        var sample: [Int] = []
        for name in members.keys.sorted() {
            var indices = members[name]!
            generator.shuffle(&indices)
            sample += indices.prefix(shares[name] ?? 0)
        }
        generator.shuffle(&sample)
        return sample
    }
}
