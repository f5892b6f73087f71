/// Splits text into runs of numbers and runs of everything else, so two texts can be compared
/// with a tolerance on their numbers and exactly elsewhere.
enum NumberTokenizer {
    enum Token: Equatable {
        case text(String)
        case number(Double, String)
    }

    /// Numbers are decimal literals with optional fraction and exponent (`2e-4`, `.5`, `4.950`)
    /// and `nan`/`inf` standing alone. A `-` or `+` belongs to the number only when it does not
    /// follow a letter, digit, `.` or `)`, so `p1-3b` reads as `p`, `1`, `-3`, `b` on both sides.
    static func tokenize(_ text: String) -> [Token] {
        let scalars = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var plain = String.UnicodeScalarView()
        var i = 0
        func isDigit(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) }
        func isWordLike(_ s: Unicode.Scalar) -> Bool {
            s.properties.isAlphabetic || isDigit(s) || s == "_" || s == "." || s == ")"
        }
        func flush() {
            if !plain.isEmpty { tokens.append(.text(String(plain))); plain = String.UnicodeScalarView() }
        }
        while i < scalars.count {
            let previous: Unicode.Scalar? = i > 0 ? scalars[i - 1] : nil
            if let end = numberEnd(scalars, from: i, previous: previous) {
                let literal = String(String.UnicodeScalarView(scalars[i..<end]))
                if let value = Double(literal.lowercased() == "nan" ? "nan" : literal) {
                    flush()
                    tokens.append(.number(value, literal))
                    i = end
                    continue
                }
            }
            plain.append(scalars[i])
            i += 1
        }
        flush()
        return tokens

        func numberEnd(_ s: [Unicode.Scalar], from start: Int, previous: Unicode.Scalar?) -> Int? {
            var j = start
            if s[j] == "-" || s[j] == "+" {
                if let previous, isWordLike(previous) { return nil }
                j += 1
            }
            // nan / inf as whole words
            for word in ["nan", "inf"] {
                let w = Array(word.unicodeScalars)
                if j + w.count <= s.count, s[j..<j + w.count].map({ Unicode.Scalar($0.value | 0x20) ?? $0 }) == w,
                   previous.map({ !$0.properties.isAlphabetic }) ?? true,
                   j + w.count == s.count || !s[j + w.count].properties.isAlphabetic {
                    return j + w.count
                }
            }
            let digitsStart = j
            while j < s.count, isDigit(s[j]) { j += 1 }
            var sawDigits = j > digitsStart
            if j < s.count, s[j] == ".", j + 1 < s.count, isDigit(s[j + 1]) {
                j += 1
                while j < s.count, isDigit(s[j]) { j += 1 }
                sawDigits = true
            }
            guard sawDigits else { return nil }
            if j < s.count, s[j] == "e" || s[j] == "E" {
                var k = j + 1
                if k < s.count, s[k] == "-" || s[k] == "+" { k += 1 }
                let expStart = k
                while k < s.count, isDigit(s[k]) { k += 1 }
                if k > expStart { j = k }
            }
            return j
        }
    }

    /// Whether `actual` is within tolerance of `expected`: `|a - e| <= atol + rtol * |e|`;
    /// NaN equals NaN, infinities must match exactly.
    static func close(_ expected: Double, _ actual: Double, rtol: Double, atol: Double) -> Bool {
        if expected.isNaN || actual.isNaN { return expected.isNaN && actual.isNaN }
        if expected.isInfinite || actual.isInfinite { return expected == actual }
        return abs(actual - expected) <= atol + rtol * abs(expected)
    }
}
