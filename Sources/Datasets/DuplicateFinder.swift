/// Exact duplicates (after whitespace and case normalisation) and near-duplicates (MinHash over
/// word 3-shingles with LSH banding) among a data set's examples. A conversation's system
/// prompt is left out of the comparison (sets usually share one).
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
            let hash = StableHash.fnv1a(TextNormalization.normalized(example.content.identityText))
            if let first = firstByHash[hash] {
                exact[first, default: [first]].append(index)
            } else {
                firstByHash[hash] = index
                representatives.append(index)
            }
        }
        let exactGroups = exact.values.sorted { $0[0] < $1[0] }

        // Near: among one representative per exact group.
        let minHash = MinHash()
        let signatures = representatives.map { minHash.signature(examples[$0].content.identityText) }
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
}
