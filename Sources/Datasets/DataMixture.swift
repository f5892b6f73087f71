import Essentials

/// `data mix PATH share=15%`: a second data set mixed into the loaded one at a share of the
/// mixture — the guide's remedy for catastrophic forgetting (mix 10–20% general data back in).
///
/// With n loaded examples and share s (0 < s < 1), the mixture takes m = round(n·s / (1 − s))
/// examples of the added set, so that m / (n + m) ≈ s: at s = 15% and n = 480, m = round(84.7) =
/// 85 (85 / 565 = 15.04%). The m are the first m of a seeded Fisher–Yates shuffle of the added
/// set's indices (its own stream: the seed mixed with FNV-1a of "data mix"), kept in file order;
/// the same seed picks the same examples. The mixture's examples are the loaded ones, then the
/// chosen ones with `source` 1; `Dataset.mixedPaths` names the added file.
public enum DataMixture {
    /// How many added examples make `share` of a mixture with `loaded` loaded examples:
    /// round(loaded · share / (1 − share)), halves away from zero.
    public static func addedCount(loaded: Int, share: Double) -> Int {
        Int((Double(loaded) * share / (1 - share)).rounded())
    }

    /// The indices (ascending) of `count` of `available` examples, chosen by a shuffle seeded with `seed`.
    public static func choose(_ count: Int, of available: Int, seed: UInt64) -> [Int] {
        var indices = Array(0..<available)
        var generator = SplitMix64(seed: SplitMix64.mix(seed ^ FNV1a.hash("data mix")))
        generator.shuffle(&indices)
        return indices.prefix(count).sorted()
    }

    /// The share of the mixture the added examples hold: m / (n + m).
    public static func actualShare(loaded: Int, added: Int) -> Double {
        loaded + added > 0 ? Double(added) / Double(loaded + added) : 0
    }

    /// `loaded` (its own examples only: an earlier mixture's added examples are dropped) with
    /// examples of `added` making `share` of the whole. Throws `invalidArgument` with the fix
    /// when the share is not strictly between 0 and 1, rounds to no example, or needs more
    /// examples than `added` holds.
    public static func mix(_ loaded: Dataset, with added: Dataset, share: Double, seed: UInt64) throws -> Dataset {
        guard share > 0, share < 1 else {
            throw DatasetError.invalidArgument("share must be more than 0% and less than 100% of the mixture (got \(NumberText.percent(share))); the guide mixes in 10–20%")
        }
        var base = loaded.subset(loaded.indices(ofSource: 0))
        base.mixedPaths = []
        base.skipped = loaded.skipped
        base.blankLines = loaded.blankLines
        let count = addedCount(loaded: base.count, share: share)
        guard count > 0 else {
            throw DatasetError.invalidArgument("share=\(NumberText.percent(share)) of a mixture with \(base.count) loaded examples rounds to no example of \(added.fileName): raise the share")
        }
        guard count <= added.count else {
            throw DatasetError.invalidArgument("\(added.fileName) has \(added.count) examples, and share=\(NumberText.percent(share)) of a mixture with \(base.count) loaded examples needs \(count): lower the share, or add examples to it")
        }
        let schemaOffset = base.schemas.count
        var mixture = base
        mixture.schemas += added.schemas
        mixture.mixedPaths = [added.path]
        for index in choose(count, of: added.count, seed: seed) {
            var example = added.examples[index]
            example.source = 1
            example.schema += schemaOffset
            mixture.examples.append(example)
        }
        return mixture
    }
}

extension Dataset {
    /// The examples of source `index` as a data set of their own file (`path` that file, `source`
    /// 0, the format of its examples; lines skipped at load belong to the loaded file): what
    /// `data check` checks per file of a mixture. Indices into it are positions in
    /// `indices(ofSource: index)`.
    public func sourceSubset(_ index: Int) -> Dataset {
        var part = subset(indices(ofSource: index))
        part.path = path(ofSource: index)
        part.mixedPaths = []
        for i in part.examples.indices { part.examples[i].source = 0 }
        part.format = part.examples.first?.format ?? format
        if index == 0 {
            part.skipped = skipped
            part.blankLines = blankLines
        }
        return part
    }
}
