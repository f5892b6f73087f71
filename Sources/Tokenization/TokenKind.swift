/// What a vocabulary entry is, with GGUF's `tokenizer.ggml.token_type` numbering.
public enum TokenKind: Int, Sendable, Hashable {
    /// An ordinary piece of text produced by merges.
    case normal = 1
    /// The unknown token (`<unk>`).
    case unknown = 2
    /// A control token (`<|im_start|>`, `</s>`): recognised in text, skipped by
    /// `decode(skipSpecialTokens: true)`.
    case control = 3
    /// A user-defined added token: recognised in text as a whole, decoded as its text.
    case userDefined = 4
    /// A reserved, never-produced entry.
    case unused = 5
    /// A SentencePiece byte-fallback token `<0xNN>`.
    case byte = 6

    /// Whether occurrences of the token's text inside input are split out as this token.
    public var isMatchedInText: Bool { self == .control || self == .userDefined || self == .unknown }

    /// Whether `decode(skipSpecialTokens: true)` leaves the token out.
    public var isSkippedWhenDecoding: Bool { self == .control || self == .unknown }
}
