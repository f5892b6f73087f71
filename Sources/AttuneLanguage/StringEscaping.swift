/// Writes a string back as a double-quoted literal the lexer would read to the same value:
/// escapes for quotes, backslashes and control characters, and `{{`/`}}` for literal braces
/// (strings interpolate `{expression}`).
public enum StringEscaping {
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\0": out += "\\0"
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "{": out += "{{"
            case "}": out += "}}"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
