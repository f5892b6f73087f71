/// How many terminal columns text takes: ANSI escape sequences none, combining marks none,
/// East Asian wide and fullwidth characters and emoji two, everything else one — including
/// braille (U+2800…), box drawing (U+2500…) and the geometric shapes used as series glyphs,
/// which Unicode calls narrow or ambiguous and Western terminals draw one column wide.
public enum DisplayWidth {
    /// Columns `text` occupies on one line.
    public static func of(_ text: String) -> Int {
        var width = 0
        var inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape {
                // CSI sequences end with a byte in 0x40…0x7E (after the opening "[").
                if scalar != "[" && (0x40...0x7E).contains(scalar.value) { inEscape = false }
                continue
            }
            if scalar == "\u{1B}" { inEscape = true; continue }
            width += columns(scalar)
        }
        return width
    }

    /// Columns of one scalar (0, 1 or 2).
    public static func columns(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
        switch s.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v == 0x200B { return 0 }
        let wide: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD,
        ]
        return wide.contains { $0.contains(v) } ? 2 : 1
    }
}

extension DisplayWidth {
    /// `text` cut to at most `width` columns, ending in "…" when cut. ANSI escapes are kept
    /// (and a reset added when a cut may have left a colour on).
    public static func truncate(_ text: String, to width: Int) -> String {
        guard of(text) > width else { return text }
        guard width > 0 else { return "" }
        var out = ""
        var used = 0
        var inEscape = false
        var sawEscape = false
        for scalar in text.unicodeScalars {
            if inEscape {
                out.unicodeScalars.append(scalar)
                if scalar != "[" && (0x40...0x7E).contains(scalar.value) { inEscape = false }
                continue
            }
            if scalar == "\u{1B}" { inEscape = true; sawEscape = true; out.unicodeScalars.append(scalar); continue }
            let w = columns(scalar)
            if used + w > width - 1 { break }
            used += w
            out.unicodeScalars.append(scalar)
        }
        out += "…"
        if sawEscape { out += "\u{1B}[0m" }
        return out
    }
}
