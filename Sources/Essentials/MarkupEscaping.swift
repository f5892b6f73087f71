/// Text made safe for XML, SVG and HTML content and attribute values (plots, HTML export).
public enum MarkupEscaping {
    /// `&`, `<`, `>`, `"` and `'` as entities (`&apos;` is XML's and HTML5's); control characters
    /// other than tab/newline dropped (XML 1.0 cannot hold them, and a page shows nothing for them).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
