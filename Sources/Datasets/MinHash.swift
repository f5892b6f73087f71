import Essentials
/// MinHash signatures over word shingles, and locality-sensitive hashing (banding) to find
/// pairs of texts whose shingle sets are similar without comparing every pair.
///
/// Each of the `permutations` hash functions is `h1 + i·h2` over a shingle's two 64-bit hashes
/// (Kirsch–Mitzenmacher); the fraction of equal signature entries estimates Jaccard similarity.
struct MinHash: Sendable {
    /// Words per shingle.
    var shingleSize = 3
    /// Signature length; must equal `bands * rowsPerBand`.
    var permutations = 128
    var bands = 16
    var rowsPerBand = 8

    /// The signature of `text`. Texts shorter than one shingle use their words as one shingle.
    func signature(_ text: String) -> [UInt32] {
        let words = TextNormalization.wordHashes(text)
        var minimums = [UInt32](repeating: .max, count: permutations)
        func add(_ shingle: UInt64) {
            let h1 = SplitMix64.scramble(shingle)
            let h2 = SplitMix64.scramble(h1 ^ 0x5bd1_e995) | 1
            var h = h1
            for i in 0..<permutations {
                let value = UInt32(truncatingIfNeeded: h >> 32)
                if value < minimums[i] { minimums[i] = value }
                h = h &+ h2
            }
        }
        if words.count <= shingleSize {
            add(words.reduce(FNV1a.offsetBasis) { SplitMix64.scramble($0 ^ $1) })
        } else {
            for start in 0...(words.count - shingleSize) {
                var shingle: UInt64 = 0
                for k in 0..<shingleSize { shingle = SplitMix64.scramble(shingle ^ words[start + k]) }
                add(shingle)
            }
        }
        return minimums
    }

    /// Estimated Jaccard similarity of two signatures.
    static func similarity(_ a: [UInt32], _ b: [UInt32]) -> Double {
        var equal = 0
        for i in 0..<min(a.count, b.count) where a[i] == b[i] { equal += 1 }
        return Double(equal) / Double(max(1, min(a.count, b.count)))
    }

    /// Pairs `(i, j, similarity)` with `i < j` whose estimated similarity is at least
    /// `threshold`, among candidates that share a band. Large buckets are compared against
    /// their first member only, so the work stays linear for sets built from one template.
    func similarPairs(_ signatures: [[UInt32]], threshold: Double) -> [(Int, Int, Double)] {
        var pairs = [(Int, Int, Double)]()
        var seen = Set<UInt64>()
        for band in 0..<bands {
            var buckets = [UInt64: [Int]]()
            for (index, signature) in signatures.enumerated() {
                var key = UInt64(band)
                for row in 0..<rowsPerBand { key = SplitMix64.scramble(key ^ UInt64(signature[band * rowsPerBand + row])) }
                buckets[key, default: []].append(index)
            }
            for members in buckets.values where members.count > 1 {
                let smallBucket = members.count <= 40
                for a in 0..<(smallBucket ? members.count - 1 : 1) {
                    for b in (a + 1)..<members.count {
                        let i = members[a], j = members[b]
                        let pairKey = UInt64(i) << 32 | UInt64(j)
                        guard seen.insert(pairKey).inserted else { continue }
                        let similarity = Self.similarity(signatures[i], signatures[j])
                        if similarity >= threshold { pairs.append((i, j, similarity)) }
                    }
                }
            }
        }
        return pairs.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
    }
}
