import Essentials
/// Fractions of a train/validation(/test) split.
public struct SplitRatios: Sendable, Hashable, Codable {
    public var train: Double
    public var validation: Double
    public var test: Double

    /// Validates the ratios: each in [0, 1], train > 0, summing to 1 (within 0.001).
    public init(train: Double, validation: Double, test: Double = 0) throws {
        guard [train, validation, test].allSatisfy({ $0 >= 0 && $0 <= 1 }), train > 0,
              abs(train + validation + test - 1) < 0.001 else {
            throw DatasetError.invalidArgument(
                "split ratios must be between 0 and 1 and add up to 1 (got train=\(train) val=\(validation) test=\(test)); e.g. train=0.9 val=0.1 or train=0.8 val=0.1 test=0.1")
        }
        self.train = train; self.validation = validation; self.test = test
    }
}

/// A split as example indices into the data set.
public struct DatasetSplit: Sendable, Hashable, Codable {
    public var train: [Int]
    public var validation: [Int]
    public var test: [Int]
    public var seed: UInt64
    /// Whether examples were assigned per label.
    public var stratified: Bool
    /// Duplicate groups (exact or near) that ended up in more than one part: 0 unless the
    /// splitter was told not to keep them together.
    public var crossingDuplicates: Int
    /// Label counts per part (`train`, `validation`, `test`), when labels exist.
    public var labelCounts: [String: [String: Int]]

    /// `train 432, validation 48 (seed 42, stratified by label, no duplicate crosses parts)`.
    public var summary: String {
        var text = "train \(train.count), validation \(validation.count)"
        if !test.isEmpty { text += ", test \(test.count)" }
        text += " (seed \(seed)"
        if stratified { text += ", stratified by label" }
        text += crossingDuplicates == 0 ? ", no duplicate crosses parts)" : ", \(crossingDuplicates) duplicate groups cross parts)"
        return text
    }
}

/// `data split train= val= [test=] [seed=] [stratify=]`: a seeded, reproducible split that keeps
/// each group of duplicates (exact and near) in one part, optionally per label.
public struct DatasetSplitter: Sendable {
    public var ratios: SplitRatios
    public var seed: UInt64
    public var stratify: Bool
    /// Keep exact and near-duplicates in the same part (so validation never scores memorised copies).
    public var keepDuplicatesTogether: Bool

    public init(ratios: SplitRatios, seed: UInt64 = 42, stratify: Bool = false, keepDuplicatesTogether: Bool = true) {
        self.ratios = ratios; self.seed = seed; self.stratify = stratify; self.keepDuplicatesTogether = keepDuplicatesTogether
    }

    public func split(_ dataset: Dataset) throws -> DatasetSplit {
        let count = dataset.count
        guard count >= 2 else { throw DatasetError.invalidArgument("a split needs at least 2 examples (have \(count))") }
        let duplicates = DuplicateFinder().find(in: dataset.examples)
        var sets = UnionFind(count: count)
        if keepDuplicatesTogether {
            for group in duplicates.exactGroups + duplicates.nearClusters {
                for index in group.dropFirst() { sets.union(group[0], index) }
            }
        }
        // Groups in index order, each represented by its smallest index.
        var members = [Int: [Int]]()
        for index in 0..<count { members[sets.find(index), default: []].append(index) }
        let groups = members.keys.sorted().map { members[$0]! }

        let (source, labels) = LabelExtraction.labels(for: dataset.examples)
        let useLabels = stratify && source != .none
        if stratify && source == .none {
            throw DatasetError.invalidArgument("stratify=true needs labels (a category/label field, or short outputs); this set has none")
        }
        var strata = [String: [[Int]]]()
        var strataOrder = [String]()
        for group in groups {
            let key = useLabels ? (labels[group[0]].map(LabelExtraction.canonical) ?? "(none)") : ""
            if strata[key] == nil { strataOrder.append(key) }
            strata[key, default: []].append(group)
        }

        var generator = SplitMix64(seed: seed)
        var parts: [[Int]] = [[], [], []]
        for key in strataOrder.sorted() {
            var stratumGroups = strata[key]!
            generator.shuffle(&stratumGroups)
            let size = stratumGroups.reduce(0) { $0 + $1.count }
            let wantValidation = Int((Double(size) * ratios.validation).rounded())
            let wantTest = Int((Double(size) * ratios.test).rounded())
            var have = [0, 0, 0]
            for group in stratumGroups {
                let part = have[1] < wantValidation ? 1 : have[2] < wantTest ? 2 : 0
                parts[part] += group
                have[part] += group.count
            }
        }
        for index in parts.indices { parts[index].sort() }

        var partOf = [Int](repeating: 0, count: count)
        for (part, indices) in parts.enumerated() { for index in indices { partOf[index] = part } }
        let crossing = (duplicates.exactGroups + duplicates.nearClusters).filter { Set($0.map { partOf[$0] }).count > 1 }.count

        var labelCounts = [String: [String: Int]]()
        if source != .none {
            for (name, indices) in zip(["train", "validation", "test"], parts) where !indices.isEmpty {
                var counts = [String: Int]()
                for index in indices { counts[labels[index].map(LabelExtraction.canonical) ?? "(none)", default: 0] += 1 }
                labelCounts[name] = counts
            }
        }
        return DatasetSplit(train: parts[0], validation: parts[1], test: parts[2], seed: seed, stratified: useLabels,
                            crossingDuplicates: crossing, labelCounts: labelCounts)
    }
}
