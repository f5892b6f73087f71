import Foundation

/// A JSON value as `adapter_config.json` holds it, kept so keys Attune does not interpret
/// survive a load → save round trip. Printed like Python's `json.dumps(indent=2, sort_keys=True)`,
/// which is how PEFT writes the file.
public indirect enum PEFTJSON: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([PEFTJSON])
    case object([String: PEFTJSON])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([PEFTJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: PEFTJSON].self)) }
    }

    /// The number as a Double (ints included).
    public var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    /// Indented JSON text with sorted keys.
    public func printed(indent: Int = 0) -> String {
        let pad = String(repeating: " ", count: indent + 2), close = String(repeating: " ", count: indent)
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            guard d.isFinite else { return "null" }
            return d == d.rounded() && abs(d) < 1e16 ? String(format: "%.1f", d) : "\(d)"
        case .string(let s): return Self.quoted(s)
        case .array(let a):
            guard !a.isEmpty else { return "[]" }
            return "[\n" + a.map { pad + $0.printed(indent: indent + 2) }.joined(separator: ",\n") + "\n\(close)]"
        case .object(let o):
            guard !o.isEmpty else { return "{}" }
            return "{\n" + o.keys.sorted().map { pad + Self.quoted($0) + ": " + o[$0]!.printed(indent: indent + 2) }
                .joined(separator: ",\n") + "\n\(close)}"
        }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
