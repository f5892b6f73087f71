/// A small JSON parser for one line of UTF-8 (already validated), reporting the byte offset of
/// the first problem. Hand-written rather than Foundation's `JSONSerialization` so that errors
/// carry exact columns and booleans stay distinct from numbers on Linux.
struct JSONScanner {
    /// A syntax error at a byte offset of the line.
    struct Failure: Error, Sendable {
        var offset: Int
        var message: String
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var depth = 0
    /// Deeper nesting than this is rejected (a hostile line must not overflow the stack).
    static let maximumDepth = 128

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Parses a complete JSON text: one value, surrounded only by whitespace.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> JSONNode {
        var scanner = JSONScanner(bytes)
        scanner.skipWhitespace()
        guard scanner.position < bytes.count else { throw Failure(offset: 0, message: "empty JSON text") }
        let node = try scanner.parseValue()
        scanner.skipWhitespace()
        if scanner.position < bytes.count {
            throw Failure(offset: scanner.position,
                          message: "unexpected \(scanner.describeCurrent()) after the end of the JSON value (one object per line)")
        }
        return node
    }

    /// Parses a JSON text given as a string.
    static func parse(_ text: String) throws(Failure) -> JSONNode {
        var text = text
        let result: Result<JSONNode, Failure> = text.withUTF8 { buffer in
            do throws(Failure) { return .success(try parse(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func describeCurrent() -> String {
        guard position < bytes.count else { return "end of line" }
        let byte = bytes[position]
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        if byte < 0x20 { return "control character U+\(String(byte, radix: 16, uppercase: true).leftPadded(to: 4))" }
        return "character"
    }

    private mutating func parseValue() throws(Failure) -> JSONNode {
        guard position < bytes.count else {
            throw Failure(offset: position, message: "the line ends where a value was expected (is the line cut short?)")
        }
        let start = position
        switch bytes[position] {
        case UInt8(ascii: "{"): return JSONNode(value: try parseObject(), offset: start)
        case UInt8(ascii: "["): return JSONNode(value: try parseArray(), offset: start)
        case UInt8(ascii: "\""): return JSONNode(value: .string(try parseString()), offset: start)
        case UInt8(ascii: "t"): try expectLiteral("true"); return JSONNode(value: .bool(true), offset: start)
        case UInt8(ascii: "f"): try expectLiteral("false"); return JSONNode(value: .bool(false), offset: start)
        case UInt8(ascii: "n"): try expectLiteral("null"); return JSONNode(value: .null, offset: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return JSONNode(value: try parseNumber(), offset: start)
        case UInt8(ascii: "'"):
            throw Failure(offset: position, message: "strings must use double quotes (\"), not single quotes")
        default:
            throw Failure(offset: position, message: "expected a value, found \(describeCurrent())")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Failure) {
        let start = position
        let count = literal.utf8CodeUnitCount
        var index = 0
        while index < count {
            guard position < bytes.count, bytes[position] == literal.utf8Start[index] else {
                throw Failure(offset: start, message: "invalid literal; expected \(literal) (JSON literals are lowercase: true, false, null)")
            }
            position += 1; index += 1
        }
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        if depth > Self.maximumDepth {
            throw Failure(offset: position, message: "nesting deeper than \(Self.maximumDepth) levels")
        }
    }

    private mutating func parseObject() throws(Failure) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var members = [JSONMember]()
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard position < bytes.count else {
                throw Failure(offset: position, message: "the line ends inside an object; expected '}' (is the line cut short?)")
            }
            guard bytes[position] == UInt8(ascii: "\"") else {
                if bytes[position] == UInt8(ascii: "}") {
                    throw Failure(offset: position, message: "trailing comma before '}'; remove the comma")
                }
                throw Failure(offset: position, message: "expected a key in double quotes, found \(describeCurrent())")
            }
            let keyOffset = position
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw Failure(offset: position, message: "expected ':' after key \"\(key)\", found \(describeCurrent())")
            }
            position += 1
            skipWhitespace()
            let node = try parseValue()
            members.append(JSONMember(key: key, keyOffset: keyOffset, node: node))
            skipWhitespace()
            guard position < bytes.count else {
                throw Failure(offset: position, message: "the line ends inside an object; expected ',' or '}' (is the line cut short?)")
            }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
            throw Failure(offset: position, message: "expected ',' or '}' after the value of \"\(key)\", found \(describeCurrent())")
        }
    }

    private mutating func parseArray() throws(Failure) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var elements = [JSONNode]()
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "]") { position += 1; return .array(elements) }
        while true {
            skipWhitespace()
            if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
                throw Failure(offset: position, message: "trailing comma before ']'; remove the comma")
            }
            elements.append(try parseValue())
            skipWhitespace()
            guard position < bytes.count else {
                throw Failure(offset: position, message: "the line ends inside an array; expected ',' or ']' (is the line cut short?)")
            }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(elements) }
            throw Failure(offset: position, message: "expected ',' or ']' in array, found \(describeCurrent())")
        }
    }

    private mutating func parseString() throws(Failure) -> String {
        let start = position
        position += 1
        var runStart = position
        var result = ""
        var scalarsPending = false
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                if !scalarsPending || runStart < position {
                    result += String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<position]), as: UTF8.self)
                }
                position += 1
                return result
            }
            if byte < 0x20 {
                throw Failure(offset: position, message: "unescaped control character in string; write it as \\n, \\t or \\u00XX")
            }
            if byte == UInt8(ascii: "\\") {
                result += String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<position]), as: UTF8.self)
                scalarsPending = true
                try parseEscape(into: &result)
                runStart = position
                continue
            }
            position += 1
        }
        throw Failure(offset: start, message: "unterminated string (no closing double quote before the end of the line)")
    }

    private mutating func parseEscape(into result: inout String) throws(Failure) {
        let escapeStart = position
        position += 1
        guard position < bytes.count else { throw Failure(offset: escapeStart, message: "unterminated escape sequence") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""): result.append("\"")
        case UInt8(ascii: "\\"): result.append("\\")
        case UInt8(ascii: "/"): result.append("/")
        case UInt8(ascii: "b"): result.append("\u{08}")
        case UInt8(ascii: "f"): result.append("\u{0C}")
        case UInt8(ascii: "n"): result.append("\n")
        case UInt8(ascii: "r"): result.append("\r")
        case UInt8(ascii: "t"): result.append("\t")
        case UInt8(ascii: "u"):
            let first = try parseHex4(escapeStart)
            if (0xD800...0xDBFF).contains(first) {
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    throw Failure(offset: escapeStart, message: "unpaired surrogate \\u\(String(first, radix: 16)); a high surrogate must be followed by a low one")
                }
                position += 2
                let second = try parseHex4(escapeStart)
                guard (0xDC00...0xDFFF).contains(second) else {
                    throw Failure(offset: escapeStart, message: "invalid surrogate pair in \\u escape")
                }
                let scalar = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                result.unicodeScalars.append(Unicode.Scalar(scalar)!)
            } else if (0xDC00...0xDFFF).contains(first) {
                throw Failure(offset: escapeStart, message: "unpaired low surrogate \\u\(String(first, radix: 16))")
            } else {
                result.unicodeScalars.append(Unicode.Scalar(first)!)
            }
        default:
            throw Failure(offset: escapeStart, message: "invalid escape '\\\(Character(Unicode.Scalar(byte)))'; valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
        }
    }

    private mutating func parseHex4(_ escapeStart: Int) throws(Failure) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard position < bytes.count, let digit = hexValue(bytes[position]) else {
                throw Failure(offset: escapeStart, message: "\\u must be followed by four hex digits")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private mutating func parseNumber() throws(Failure) -> JSONValue {
        let start = position
        func isDigit(_ index: Int) -> Bool {
            index < bytes.count && bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9")
        }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard isDigit(position) else { throw Failure(offset: start, message: "invalid number: '-' must be followed by a digit") }
        if bytes[position] == UInt8(ascii: "0") && isDigit(position + 1) {
            throw Failure(offset: start, message: "invalid number: leading zeros are not allowed in JSON")
        }
        while isDigit(position) { position += 1 }
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard isDigit(position) else { throw Failure(offset: start, message: "invalid number: '.' must be followed by a digit") }
            while isDigit(position) { position += 1 }
        }
        if position < bytes.count && (bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E")) {
            position += 1
            if position < bytes.count && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")) { position += 1 }
            guard isDigit(position) else { throw Failure(offset: start, message: "invalid number: exponent needs digits") }
            while isDigit(position) { position += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        return .number(text, Double(text) ?? .nan)
    }
}

extension String {
    /// Left-pads with zeros to `width` characters.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
