/// Scanner building blocks shared by the pre-tokenizer patterns.
extension PreTokenizer {
    /// The end of the run of scalars of class `kind` starting at `index`.
    @inline(__always)
    static func runEnd(_ bytes: UnsafeBufferPointer<UInt8>, from index: Int, _ end: Int, of kind: ScalarClass) -> Int {
        var i = index
        while i < end {
            let (value, length) = decodeScalar(bytes, i)
            if ScalarClass.of(value) != kind { break }
            i += length
        }
        return i
    }

    /// Length of a contraction suffix (`s t m d` → 1, `re ve ll` → 2) after an apostrophe at
    /// `index - 1`, or 0. ASCII case folding only when `ignoringCase`.
    @inline(__always)
    static func contractionLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, _ end: Int, ignoringCase: Bool) -> Int {
        guard index < end else { return 0 }
        func fold(_ byte: UInt8) -> UInt8 {
            ignoringCase && byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
        }
        let first = fold(bytes[index])
        switch first {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
            return 1
        case UInt8(ascii: "r"), UInt8(ascii: "v"), UInt8(ascii: "l"):
            guard index + 1 < end else { return 0 }
            let second = fold(bytes[index + 1])
            let expected: UInt8 = first == UInt8(ascii: "l") ? UInt8(ascii: "l") : UInt8(ascii: "e")
            return second == expected ? 2 : 0
        default:
            return 0
        }
    }

    /// The end of a whitespace run starting at `index`, where its last scalar starts, and the end
    /// of its last `\r`/`\n` (or nil when it has none).
    @inline(__always)
    static func whitespaceRun(_ bytes: UnsafeBufferPointer<UInt8>, from index: Int, _ end: Int)
        -> (end: Int, lastStart: Int, lastNewlineEnd: Int?) {
        var i = index, lastStart = index
        var lastNewlineEnd: Int?
        while i < end {
            let (value, length) = decodeScalar(bytes, i)
            let kind = ScalarClass.of(value)
            if !kind.isWhitespace { break }
            if kind == .newline { lastNewlineEnd = i + length }
            lastStart = i
            i += length
        }
        return (i, lastStart, lastNewlineEnd)
    }

    /// `\s+(?!\S)|\s+` at the start of a whitespace run: all of it at the end of the text, all
    /// but its last scalar before a non-space, the single scalar when it is alone.
    @inline(__always)
    static func trailingWhitespaceEnd(_ run: (end: Int, lastStart: Int, lastNewlineEnd: Int?), start: Int, textEnd: Int) -> Int {
        run.end == textEnd || run.lastStart == start ? run.end : run.lastStart
    }
}
