import Tokenization

/// Tiny tokenizers built from GGUF-style plain arrays.
enum SmallTokenizers {
    /// A GGUF `llama` (SentencePiece) vocabulary with scores and no merges: merges come from
    /// scores, missing characters fall back to `<0xNN>`.
    static func sentencePieceFromScores() throws -> BPETokenizer {
        var tokens = ["<unk>", "<s>", "</s>"] + (0..<256).map { "<0x" + String($0, radix: 16, uppercase: true).leftPadded(2) + ">" }
        var types = [2, 3, 3] + [Int](repeating: 6, count: 256)
        var scores = [Float](repeating: 0, count: tokens.count)
        let pieces = ["▁", "t", "h", "e", "a", "b", "c", "l", "o", "w", "r", "d", "▁t", "he", "▁the", "ll", "llo", "▁w", "or", "▁wor", "ld", "▁world"]
        for (index, piece) in pieces.enumerated() {
            tokens.append(piece); types.append(1)
            scores.append(piece.count == 1 ? -1000 : -Float(index))
        }
        return try BPETokenizer(gguf: GGUFTokenizerMetadata(
            model: "llama", tokens: tokens, tokenTypes: types, scores: scores, bosID: 1, eosID: 2, unknownID: 0,
            addBOS: true, addSpacePrefix: true))
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
