/// Character classes of the Attune lexer.
extension Unicode.Scalar {
    var isDigit: Bool { ("0"..."9").contains(self) }

    var isHexDigit: Bool { isDigit || ("a"..."f").contains(self) || ("A"..."F").contains(self) }

    /// Letters (ASCII or any alphabetic Unicode scalar), `_`, and the glob star `*`.
    var startsName: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || self == "_" || self == "*"
            || (value > 0x7F && properties.isAlphabetic)
    }

    /// What may follow the first scalar of a name (a `-` is allowed separately, between these).
    var continuesName: Bool { startsName || isDigit }

    /// What a name holds in an expression: letters, digits and `_` (no `*`, no `-`).
    var continuesPlainName: Bool { (startsName && self != "*") || isDigit }

    /// Blanks that separate tokens on a line (the newline is a token of its own).
    var isBlank: Bool {
        switch self {
        case " ", "\t", "\r", "\u{0B}", "\u{0C}", "\u{A0}", "\u{FEFF}": return true
        default: return false
        }
    }

    /// Control characters and other scalars that would garble a terminal if echoed.
    var isUnprintable: Bool {
        (value < 0x20 && self != "\t") || (0x7F...0x9F).contains(value)
    }

    /// Characters that show nothing but change how text around them looks: format characters
    /// (bidirectional overrides like U+202E, zero-width spaces and joiners, U+FEFF) and the
    /// line/paragraph separators. Messages name them as `U+202E` instead of echoing them.
    var isInvisible: Bool {
        switch properties.generalCategory {
        case .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// How to show the scalar inside a message: `'@'`, or `U+0007` when it is unprintable or invisible.
    var quotedForMessage: String {
        if isUnprintable || isInvisible || isBlank && self != " " {
            let hex = String(value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
        return "'\(self)'"
    }
}
