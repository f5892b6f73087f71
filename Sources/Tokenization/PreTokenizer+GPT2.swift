/// The GPT-2 pattern and SmolLM2's digit-isolating variant.
extension PreTokenizer {
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    static func scanGPT2(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ pieces: inout [Range<Int>]) {
        var i = start
        while i < end {
            let (value, length) = decodeScalar(bytes, i)
            // 's 't 're 've 'm 'll 'd
            if value == 0x27 {
                let suffix = contractionLength(bytes, at: i + 1, end, ignoringCase: false)
                if suffix > 0 {
                    pieces.append(i..<(i + 1 + suffix)); i += 1 + suffix; continue
                }
            }
            let kind = ScalarClass.of(value)
            // ` ?X+` where X is letters, numbers or other: an optional single space first.
            if value == 0x20 && i + 1 < end {
                let (next, nextLength) = decodeScalar(bytes, i + 1)
                let nextKind = ScalarClass.of(next)
                if !nextKind.isWhitespace {
                    let e = runEnd(bytes, from: i + 1 + nextLength, end, of: nextKind)
                    pieces.append(i..<e); i = e; continue
                }
            }
            if !kind.isWhitespace {
                let e = runEnd(bytes, from: i + length, end, of: kind)
                pieces.append(i..<e); i = e; continue
            }
            let run = whitespaceRun(bytes, from: i, end)
            let e = trailingWhitespaceEnd(run, start: i, textEnd: end)
            pieces.append(i..<e); i = e
        }
    }

    /// SmolLM2 / StarCoder: each `\p{N}` scalar alone, GPT-2 pattern on the spans between.
    static func scanIsolatingNumbers(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ pieces: inout [Range<Int>]) {
        var spanStart = start, i = start
        while i < end {
            let (value, length) = decodeScalar(bytes, i)
            if ScalarClass.of(value) == .number {
                if spanStart < i { scanGPT2(bytes, spanStart, i, &pieces) }
                pieces.append(i..<(i + length))
                spanStart = i + length
            }
            i += length
        }
        if spanStart < end { scanGPT2(bytes, spanStart, end, &pieces) }
    }
}
