import Tokenization

/// Each token's bytes, for masking: what the token adds to the reply, or nil for tokens that
/// add no text (control tokens, unused ids) and so never continue a JSON document. Tokens are also
/// grouped by first byte, so a mask tests one byte before a whole group.
final class TokenByteTable: Sendable {
    let bytes: [[UInt8]?]
    /// Token ids by their first byte.
    let byFirstByte: [[Int]]

    init(tokenizer: any Tokenizer, vocabularySize: Int) {
        var bytes = [[UInt8]?](repeating: nil, count: vocabularySize)
        var groups = [[Int]](repeating: [], count: 256)
        for id in 0..<min(vocabularySize, tokenizer.vocabularySize) {
            let kind = tokenizer.kind(of: id)
            guard kind != .control, kind != .unknown, kind != .unused else { continue }
            let b = tokenizer.bytes(of: id)
            guard let first = b.first else { continue }
            bytes[id] = b
            groups[Int(first)].append(id)
        }
        self.bytes = bytes
        byFirstByte = groups
    }
}
