import Essentials

/// The MinHash signatures of a reference set (the training prompts) and the distance from a new
/// text to its nearest member — one part of the novelty score.
///
/// distance(x) = 1 − max_j Ĵ(x, r_j), where Ĵ is MinHash's estimate of the Jaccard similarity of
/// word 3-shingle sets (the share of the 128 signature entries that agree; `MinHash`, the same
/// signatures `data check` and `data compare` use for near-duplicates). 0: x's shingles are a
/// reference text's; 1: no signature entry agrees with any reference text. Every reference is
/// compared (128 integer comparisons each), so the nearest member is exact, not an LSH guess.
public struct MinHashIndex: Sendable, Equatable {
    /// One signature per reference text, each `MinHash().permutations` long.
    public private(set) var signatures: [[UInt32]]

    /// Signature length (the estimate's resolution is 1/length).
    public static var signatureLength: Int { MinHash().permutations }

    public init(texts: [String]) {
        let minHash = MinHash()
        signatures = texts.map(minHash.signature)
    }

    /// An index from stored signatures; each must be `signatureLength` long.
    public init(signatures: [[UInt32]]) throws {
        if let bad = signatures.firstIndex(where: { $0.count != Self.signatureLength }) {
            throw MinHashIndexError("signature \(bad) has \(signatures[bad].count) entries, not \(Self.signatureLength)")
        }
        self.signatures = signatures
    }

    public var count: Int { signatures.count }

    /// The signature of `text`.
    public static func signature(_ text: String) -> [UInt32] { MinHash().signature(text) }

    /// 1 − the largest estimated Jaccard similarity between `text` and a reference text (1 when
    /// the index is empty).
    public func distance(to text: String) -> Double { distance(signature: Self.signature(text)) }

    public func distance(signature: [UInt32]) -> Double {
        var best = 0.0
        for reference in signatures {
            let similarity = MinHash.similarity(signature, reference)
            if similarity > best { best = similarity; if best == 1 { break } }
        }
        return 1 - best
    }
}

/// Stored signatures that do not fit the index.
public struct MinHashIndexError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
