extension Diagnostic {
    /// Lines longer than this are shown as a window around the span.
    static let maximumShownWidth = 100

    /// The message, the source line, and a caret underline under the span:
    ///
    ///     line 1, column 1: unknown command 'trian' — did you mean 'train'?
    ///         trian steps=5
    ///         ^^^^^
    ///
    /// Tabs in the line are kept in the underline's indentation so the carets line up;
    /// unprintable and invisible characters (U+202E, zero-width) are shown as `�`; a span running past the end of its line is
    /// underlined to the end of the line; very long lines are cut to a window marked with `…`.
    public func render(source: String) -> String {
        let indent = "    "
        var lineScalars = Self.line(line, of: source)
        var start = column - 1
        var width = min(length, max(1, lineScalars.count - start))
        var lead = ""
        var tail = ""
        if lineScalars.count > Self.maximumShownWidth {
            let windowStart = max(0, min(start - 20, lineScalars.count - Self.maximumShownWidth))
            let windowEnd = min(lineScalars.count, windowStart + Self.maximumShownWidth)
            lead = windowStart > 0 ? "…" : ""
            tail = windowEnd < lineScalars.count ? "…" : ""
            lineScalars = Array(lineScalars[windowStart..<windowEnd])
            start -= windowStart
            width = min(width, max(1, lineScalars.count - start))
        }
        var shown = String.UnicodeScalarView()
        var padding = lead.isEmpty ? "" : " "
        for (index, scalar) in lineScalars.enumerated() {
            let printable: Unicode.Scalar = scalar.isUnprintable || scalar.isInvisible ? "\u{FFFD}" : scalar
            shown.append(printable)
            if index < start { padding += scalar == "\t" ? "\t" : " " }
        }
        padding += String(repeating: " ", count: max(0, start - lineScalars.count))
        return description + "\n"
            + indent + lead + String(shown) + tail + "\n"
            + indent + padding + String(repeating: "^", count: width)
    }

    /// The scalars of 1-based line `number`, without its line break (empty past the end).
    static func line(_ number: Int, of source: String) -> [Unicode.Scalar] {
        var current = 1
        var scalars: [Unicode.Scalar] = []
        for scalar in source.unicodeScalars {
            if scalar == "\n" {
                if current == number { break }
                current += 1
            } else if current == number {
                scalars.append(scalar)
            }
        }
        if scalars.last == "\r" { scalars.removeLast() }
        return scalars
    }
}

extension Array where Element == Diagnostic {
    /// Every diagnostic rendered, separated by blank lines.
    public func render(source: String) -> String {
        map { $0.render(source: source) }.joined(separator: "\n\n")
    }
}
