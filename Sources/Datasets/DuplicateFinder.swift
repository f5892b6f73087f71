import Essentials
/// Exact duplicates (after whitespace and case normalisation) and near-duplicates (MinHash over
/// word 3-shingles with LSH banding) among a data set's examples.
///
/// A conversation's system prompt is left out of both comparisons (sets usually share one). For
/// near-duplicates, any field value that a quarter or more of the examples share (a fixed
/// instruction, a common prompt prefix) is boilerplate and left out too, so that examples are
/// compared by what distinguishes them.
public struct DuplicateFinder: Sendable {
    /// Estimated Jaccard similarity of shingle sets at or above which two examples are near-duplicates.
    public var nearThreshold: Double

    public init(nearThreshold: Double = 0.8) { self.nearThreshold = nearThreshold }

    /// Duplicate groups as example indices.
    public struct Result: Sendable, Hashable {
        /// Groups of identical examples (indices ascending; the first is the one to keep).
        public var exactGroups: [[Int]]
        /// Clusters of near-identical examples, exact copies left out (indices ascending).
        public var nearClusters: [[Int]]
        /// For each near cluster, the highest pairwise similarity that joined it.
        public var nearSimilarities: [Double]

        /// Every index in a group or cluster except its first: what `data dedup` removes.
        public var redundant: [Int] {
            (exactGroups.flatMap { $0.dropFirst() } + nearClusters.flatMap { $0.dropFirst() }).sorted()
        }
    }

    public func find(in examples: [Example]) -> Result {
        // Exact: identical normalised identity text.
        var firstByHash = [UInt64: Int]()
        var exact = [Int: [Int]]()
        var representatives = [Int]()
        for (index, example) in examples.enumerated() {
            let hash = TextNormalization.normalizedHash(example.content.identityText)
            if let first = firstByHash[hash] {
                exact[first, default: [first]].append(index)
            } else {
                firstByHash[hash] = index
                representatives.append(index)
            }
        }
        let exactGroups = exact.values.sorted { $0[0] < $1[0] }

        // Near: among one representative per exact group, without boilerplate fields.
        let boilerplate = Self.boilerplate(in: examples)
        let minHash = MinHash()
        let signatures = representatives.map { minHash.signature(Self.distinctiveText(examples[$0], boilerplate: boilerplate)) }
        let pairs = minHash.similarPairs(signatures, threshold: nearThreshold)
        var sets = UnionFind(count: representatives.count)
        var best = [Int: Double]()
        for (i, j, _) in pairs { sets.union(i, j) }
        for (i, _, similarity) in pairs {
            let root = sets.find(i)
            best[root] = max(best[root] ?? 0, similarity)
        }
        let clusters = sets.groups()
        return Result(exactGroups: exactGroups,
                      nearClusters: clusters.map { $0.map { representatives[$0] } },
                      nearSimilarities: clusters.map { best[$0[0]] ?? nearThreshold })
    }

    /// Hashes of `field=value` pairs shared by at least a quarter of the examples (and 3 or more).
    static func boilerplate(in examples: [Example]) -> Set<UInt64> {
        var counts = [UInt64: Int]()
        for example in examples {
            for (name, text) in fieldsForComparison(example) { counts[fieldHash(name, text), default: 0] += 1 }
        }
        let minimum = max(3, examples.count / 4)
        return Set(counts.filter { $0.value >= minimum }.keys)
    }

    /// Fields named by role (`user`, `assistant`) or key, without a conversation's system prompt.
    static func fieldsForComparison(_ example: Example) -> [(String, String)] {
        switch example.content {
        case .chat(let messages): return messages.filter { $0.role != "system" }.map { ($0.role, $0.content) }
        default: return example.content.fields.map { ($0.name, $0.text) }
        }
    }

    static func fieldHash(_ name: String, _ text: String) -> UInt64 {
        SplitMix64.scramble(FNV1a.hash(name) ^ FNV1a.hash(text))
    }

    /// The example's text without boilerplate fields.
    static func distinctiveText(_ example: Example, boilerplate: Set<UInt64>) -> String {
        fieldsForComparison(example).filter { !boilerplate.contains(fieldHash($0.0, $0.1)) }
            .map { "\($0.0): \($0.1)" }.joined(separator: "\n")
    }
}
