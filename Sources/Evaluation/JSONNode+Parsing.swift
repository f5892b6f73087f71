/// Why a text is not JSON, with the character offset where reading stopped.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public var description: String { "invalid JSON at character \(offset + 1): \(reason)" }
}

extension JSONNode {
    /// Parses a complete JSON text (RFC 8259; surrounding whitespace allowed, nothing else).
    public init(parsing text: String) throws {
        var parser = JSONReader(Array(text.unicodeScalars))
        parser.skipWhitespace()
        let value = try parser.readValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.scalars.count else {
            throw JSONParseError(offset: parser.index, reason: "unexpected text after the value")
        }
        self = value
    }

    /// Parses one value starting at scalar offset `start`; returns it and the offset just past it.
    static func parsePrefix(_ scalars: [Unicode.Scalar], at start: Int) -> (JSONNode, end: Int)? {
        var parser = JSONReader(scalars)
        parser.index = start
        guard let value = try? parser.readValue(depth: 0) else { return nil }
        return (value, parser.index)
    }
}

/// A small recursive-descent JSON reader over Unicode scalars.
struct JSONReader {
    let scalars: [Unicode.Scalar]
    var index = 0
    static let maximumDepth = 512

    init(_ scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    func fail(_ reason: String) -> JSONParseError {
        JSONParseError(offset: index, reason: reason)
    }

    var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    mutating func skipWhitespace() {
        while let c = current, c == " " || c == "\n" || c == "\r" || c == "\t" { index += 1 }
    }

    mutating func expect(_ word: String) throws {
        for scalar in word.unicodeScalars {
            guard current == scalar else { throw fail("expected '\(word)'") }
            index += 1
        }
    }

    mutating func readValue(depth: Int) throws -> JSONNode {
        guard depth < Self.maximumDepth else { throw fail("nested too deeply") }
        guard let c = current else { throw fail("unexpected end of text") }
        switch c {
        case "{": return try readObject(depth: depth)
        case "[": return try readArray(depth: depth)
        case "\"": return .string(try readString())
        case "t": try expect("true"); return .bool(true)
        case "f": try expect("false"); return .bool(false)
        case "n": try expect("null"); return .null
        case "-", "0"..."9": return .number(try readNumber())
        default: throw fail("unexpected character '\(c)'")
        }
    }

    mutating func readObject(depth: Int) throws -> JSONNode {
        index += 1
        var members: [(key: String, value: JSONNode)] = []
        skipWhitespace()
        if current == "}" { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard current == "\"" else { throw fail("expected a quoted key") }
            let key = try readString()
            skipWhitespace()
            guard current == ":" else { throw fail("expected ':' after a key") }
            index += 1
            skipWhitespace()
            members.append((key, try readValue(depth: depth + 1)))
            skipWhitespace()
            if current == "," { index += 1; continue }
            if current == "}" { index += 1; return .object(members) }
            throw fail("expected ',' or '}' in an object")
        }
    }

    mutating func readArray(depth: Int) throws -> JSONNode {
        index += 1
        var items: [JSONNode] = []
        skipWhitespace()
        if current == "]" { index += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try readValue(depth: depth + 1))
            skipWhitespace()
            if current == "," { index += 1; continue }
            if current == "]" { index += 1; return .array(items) }
            throw fail("expected ',' or ']' in an array")
        }
    }

    mutating func readHex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let c = current, let digit = Int(String(c), radix: 16) else { throw fail("bad \\u escape") }
            value = value * 16 + UInt32(digit)
            index += 1
        }
        return value
    }

    mutating func readString() throws -> String {
        index += 1
        var out = String.UnicodeScalarView()
        while true {
            guard let c = current else { throw fail("unterminated string") }
            index += 1
            switch c {
            case "\"": return String(out)
            case "\\":
                guard let e = current else { throw fail("unterminated escape") }
                index += 1
                switch e {
                case "\"": out.append("\"")
                case "\\": out.append("\\")
                case "/": out.append("/")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                case "u":
                    var code = try readHex4()
                    if (0xD800...0xDBFF).contains(code), current == "\\" {
                        index += 1
                        try expect("u")
                        let low = try readHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("bad surrogate pair") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw fail("lone surrogate") }
                    out.append(scalar)
                default: throw fail("unknown escape '\\\(e)'")
                }
            default:
                guard c.value >= 0x20 else { throw fail("control character in a string") }
                out.append(c)
            }
        }
    }

    mutating func readNumber() throws -> Double {
        let start = index
        if current == "-" { index += 1 }
        func digits() -> Int {
            var count = 0
            while let c = current, ("0"..."9").contains(c) { index += 1; count += 1 }
            return count
        }
        if current == "0" { index += 1 } else if digits() == 0 { throw fail("expected digits") }
        if current == "." {
            index += 1
            guard digits() > 0 else { throw fail("expected digits after '.'") }
        }
        if current == "e" || current == "E" {
            index += 1
            if current == "+" || current == "-" { index += 1 }
            guard digits() > 0 else { throw fail("expected exponent digits") }
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[start..<index])
        guard let value = Double(text) else { throw fail("bad number") }
        return value
    }
}
