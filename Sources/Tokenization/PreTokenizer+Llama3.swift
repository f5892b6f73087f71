/// The Llama 3 pattern and Qwen2's single-digit variant.
extension PreTokenizer {
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}|
    /// ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    static func scanLlama3(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, maxDigits: Int,
                           _ pieces: inout [Range<Int>]) {
        var i = start
        while i < end {
            let (value, length) = decodeScalar(bytes, i)
            // (?i:'s|'t|'re|'ve|'m|'ll|'d)
            if value == 0x27 {
                let suffix = contractionLength(bytes, at: i + 1, end, ignoringCase: true)
                if suffix > 0 {
                    pieces.append(i..<(i + 1 + suffix)); i += 1 + suffix; continue
                }
            }
            let kind = ScalarClass.of(value)
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if kind == .letter {
                let e = runEnd(bytes, from: i + length, end, of: .letter)
                pieces.append(i..<e); i = e; continue
            }
            if kind != .newline && kind != .number && i + length < end {
                let (next, nextLength) = decodeScalar(bytes, i + length)
                if ScalarClass.of(next) == .letter {
                    let e = runEnd(bytes, from: i + length + nextLength, end, of: .letter)
                    pieces.append(i..<e); i = e; continue
                }
            }
            // \p{N}{1,maxDigits}
            if kind == .number {
                var e = i + length, count = 1
                while count < maxDigits && e < end {
                    let (next, nextLength) = decodeScalar(bytes, e)
                    if ScalarClass.of(next) != .number { break }
                    e += nextLength; count += 1
                }
                pieces.append(i..<e); i = e; continue
            }
            //  ?[^\s\p{L}\p{N}]+[\r\n]*
            var otherStart: Int?
            if kind == .other {
                otherStart = i + length
            } else if value == 0x20 && i + 1 < end {
                let (next, nextLength) = decodeScalar(bytes, i + 1)
                if ScalarClass.of(next) == .other { otherStart = i + 1 + nextLength }
            }
            if let from = otherStart {
                var e = runEnd(bytes, from: from, end, of: .other)
                while e < end && (bytes[e] == 0x0A || bytes[e] == 0x0D) { e += 1 }
                pieces.append(i..<e); i = e; continue
            }
            // \s*[\r\n]+ , then \s+(?!\S) , then \s+
            let run = whitespaceRun(bytes, from: i, end)
            let e = run.lastNewlineEnd ?? trailingWhitespaceEnd(run, start: i, textEnd: end)
            pieces.append(i..<e); i = e
        }
    }
}
