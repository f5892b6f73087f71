/// Turns tokens into text one at a time, as generation produces them.
///
/// A token can end in the middle of a UTF-8 sequence (byte-level BPE splits emoji and CJK
/// across tokens): incomplete trailing bytes are held back until the next token completes
/// them; bytes that can never become valid UTF-8 come out as U+FFFD. Concatenating every
/// `push` and the final `finish` gives exactly `tokenizer.decode(ids)`.
public struct StreamingDecoder: Sendable {
    public let tokenizer: any Tokenizer
    public var skipSpecialTokens: Bool
    private var pending: [UInt8] = []
    private var prefixState: SpacePrefixState

    public init(tokenizer: any Tokenizer, skipSpecialTokens: Bool = false) {
        self.tokenizer = tokenizer
        self.skipSpecialTokens = skipSpecialTokens
        self.prefixState = SpacePrefixState(rule: tokenizer.spacePrefix, bos: tokenizer.specialTokens.bos)
    }

    /// Adds a token; returns the text that is now complete (often empty mid-character).
    public mutating func push(_ id: Int) -> String {
        let kind = tokenizer.kind(of: id)
        var bytes = tokenizer.bytes(of: id)
        if prefixState.consume(id: id, isText: !kind.isMatchedInText), bytes.first == 0x20 { bytes.removeFirst() }
        if !(skipSpecialTokens && kind.isSkippedWhenDecoding) { pending += bytes }
        let keep = Self.incompleteSuffixLength(pending)
        let ready = pending[..<(pending.count - keep)]
        let text = String(decoding: ready, as: UTF8.self)
        pending.removeFirst(pending.count - keep)
        return text
    }

    /// Flushes held-back bytes (an unfinished character becomes U+FFFD).
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Length of a trailing, possibly valid but unfinished UTF-8 sequence (0...3 bytes).
    static func incompleteSuffixLength(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        var k = 1
        while k <= min(3, n) {
            let byte = bytes[n - k]
            if byte & 0xC0 != 0x80 {
                // A lead byte k bytes from the end: unfinished if it needs more than k bytes.
                let needed = byte >= 0xF0 && byte <= 0xF4 ? 4 : byte >= 0xE0 && byte < 0xF0 ? 3 : byte >= 0xC2 && byte < 0xE0 ? 2 : 1
                return needed > k ? k : 0
            }
            k += 1
        }
        return 0
    }
}
