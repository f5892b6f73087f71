extension JSONValue {
    /// Arrays and objects nested deeper than this are rejected: a hostile line must not overflow
    /// the stack of the recursive-descent parser.
    public static let maximumDepth = 128

    /// Parses one JSON text (RFC 8259): one value, surrounded only by whitespace.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try withBytes(of: text) { bytes throws(JSONParseError) in try parse(bytes) }
    }

    /// Parses one JSON text given as UTF-8 bytes; strings must be valid UTF-8.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes, recordsLocations: false)
        return try parser.parseDocument().value
    }

    /// Parses one JSON text given as UTF-8 bytes (a file's contents).
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(JSONParseError) { return .success(try parse(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Parses one JSON text and where each part of it begins (for diagnostics with columns).
    public static func parseLocated(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONLocated {
        var parser = JSONParser(bytes, recordsLocations: true)
        return try parser.parseDocument()
    }

    /// Parses one JSON text given as a string, with locations.
    public static func parseLocated(_ text: String) throws(JSONParseError) -> JSONLocated {
        try withBytes(of: text) { bytes throws(JSONParseError) in try parseLocated(bytes) }
    }

    /// Parses the value that starts at `bytes[start]` and returns it with the index just past it;
    /// whatever follows is left alone (a fence attribute `tags=["a"] next=1`, JSON inside prose).
    public static func parsePrefix(_ bytes: [UInt8], from start: Int) throws(JSONParseError) -> (JSONValue, end: Int) {
        let result: Result<(JSONValue, end: Int), JSONParseError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(buffer, recordsLocations: false)
            parser.position = start
            do throws(JSONParseError) {
                let value = try parser.parseValue().value
                return .success((value, parser.position))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func withBytes<T>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> T) throws(JSONParseError) -> T {
        var text = text
        let result: Result<T, JSONParseError> = text.withUTF8 { buffer in
            do throws(JSONParseError) { return .success(try body(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

/// Recursive-descent JSON parser over UTF-8 bytes, reporting the byte offset of the first problem.
/// Numbers keep their source text; with `recordsLocations` every value's and key's offset is kept.
struct JSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let recordsLocations: Bool
    var position = 0
    private var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>, recordsLocations: Bool) {
        self.bytes = bytes
        self.recordsLocations = recordsLocations
    }

    private func fail(_ problem: JSONParseError.Problem, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(offset: offset ?? position, problem: problem)
    }

    /// A complete text: one value, surrounded only by whitespace.
    mutating func parseDocument() throws(JSONParseError) -> JSONLocated {
        skipWhitespace()
        guard position < bytes.count else { throw fail(.emptyText, at: 0) }
        let located = try parseValue()
        skipWhitespace()
        if position < bytes.count { throw fail(.textAfterValue(found: describeCurrent())) }
        return located
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// The scalar at the current position (U+FFFD where the bytes are not UTF-8).
    private func currentScalar() -> Unicode.Scalar {
        guard position < bytes.count else { return "\u{FFFD}" }
        var iterator = bytes[position...].makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) { return scalar }
        return "\u{FFFD}"
    }

    /// The text at the current position as messages name it: `'x'`, `control character U+000A`,
    /// `end of line`.
    private func describeCurrent() -> String {
        guard position < bytes.count else { return "end of line" }
        let scalar = currentScalar()
        if scalar.value < 0x20 || scalar.value == 0x7F {
            let digits = String(scalar.value, radix: 16, uppercase: true)
            return "control character U+" + String(repeating: "0", count: 4 - digits.count) + digits
        }
        if scalar.properties.isWhitespace || scalar == "\u{FFFD}" { return "character" }
        return "'\(Character(scalar))'"
    }

    mutating func parseValue() throws(JSONParseError) -> JSONLocated {
        guard position < bytes.count else { throw fail(.endOfText(.value)) }
        let start = position
        let value: JSONValue
        var locations = JSONLocations(offset: start)
        switch bytes[position] {
        case UInt8(ascii: "{"): value = try parseObject(&locations)
        case UInt8(ascii: "["): value = try parseArray(&locations)
        case UInt8(ascii: "\""): value = .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); value = .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); value = .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); value = .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): value = try parseNumber()
        case UInt8(ascii: "'"): throw fail(.singleQuotes)
        default: throw fail(.valueExpected(found: describeCurrent(), character: currentScalar()))
        }
        return JSONLocated(value: value, locations: locations)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let start = position
        for index in 0..<literal.utf8CodeUnitCount {
            guard position < bytes.count, bytes[position] == literal.utf8Start[index] else {
                throw fail(.invalidLiteral(expected: "\(literal)"), at: start)
            }
            position += 1
        }
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > JSONValue.maximumDepth { throw fail(.tooDeep(limit: JSONValue.maximumDepth)) }
    }

    /// object = "{" [ string ":" value *( "," string ":" value ) ] "}"
    private mutating func parseObject(_ locations: inout JSONLocations) throws(JSONParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard position < bytes.count else { throw fail(.endOfText(.objectBeforeKey)) }
            guard bytes[position] == UInt8(ascii: "\"") else {
                if bytes[position] == UInt8(ascii: "}") { throw fail(.trailingComma(before: "}")) }
                throw fail(.keyExpected(found: describeCurrent()))
            }
            let keyOffset = position
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw fail(.colonExpected(key: key, found: describeCurrent()))
            }
            position += 1
            skipWhitespace()
            let member = try parseValue()
            members.append((key, member.value))
            if recordsLocations {
                locations.keyOffsets.append(keyOffset)
                locations.children.append(member.locations)
            }
            skipWhitespace()
            guard position < bytes.count else { throw fail(.endOfText(.objectAfterValue)) }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
            throw fail(.objectSeparatorExpected(key: key, found: describeCurrent()))
        }
    }

    /// array = "[" [ value *( "," value ) ] "]"
    private mutating func parseArray(_ locations: inout JSONLocations) throws(JSONParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "]") { position += 1; return .array(elements) }
        while true {
            skipWhitespace()
            if position < bytes.count && bytes[position] == UInt8(ascii: "]") { throw fail(.trailingComma(before: "]")) }
            let element = try parseValue()
            elements.append(element.value)
            if recordsLocations { locations.children.append(element.locations) }
            skipWhitespace()
            guard position < bytes.count else { throw fail(.endOfText(.arrayAfterElement)) }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(elements) }
            throw fail(.arraySeparatorExpected(found: describeCurrent()))
        }
    }

    /// string = quotation-mark *char quotation-mark, with the JSON escapes and UTF-16 surrogate
    /// pairs; raw bytes must be UTF-8.
    private mutating func parseString() throws(JSONParseError) -> String {
        let start = position
        position += 1
        var runStart = position
        var result = ""
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                appendRun(from: runStart, to: &result)
                position += 1
                return result
            }
            if byte < 0x20 { throw fail(.controlCharacterInString) }
            if byte == UInt8(ascii: "\\") {
                appendRun(from: runStart, to: &result)
                try parseEscape(into: &result)
                runStart = position
                continue
            }
            if byte < 0x80 { position += 1 } else { try skipUTF8Sequence() }
        }
        throw fail(.unterminatedString, at: start)
    }

    private func appendRun(from start: Int, to result: inout String) {
        if start < position { result += String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self) }
    }

    /// Steps over one multi-byte UTF-8 sequence, rejecting bad lead bytes, missing continuation
    /// bytes, overlong forms, surrogates and code points past U+10FFFF.
    private mutating func skipUTF8Sequence() throws(JSONParseError) {
        let lead = bytes[position]
        let length: Int, minimum: UInt32
        var code: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; minimum = 0x80; code = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; minimum = 0x800; code = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; minimum = 0x10000; code = UInt32(lead & 0x07)
        default: throw fail(.invalidUTF8(byte: lead))
        }
        for k in 1..<length {
            guard position + k < bytes.count, bytes[position + k] & 0xC0 == 0x80 else {
                throw fail(.invalidUTF8(byte: position + k < bytes.count ? bytes[position + k] : lead), at: position + k)
            }
            code = code << 6 | UInt32(bytes[position + k] & 0x3F)
        }
        guard code >= minimum, code <= 0x10FFFF, !(0xD800...0xDFFF).contains(code) else { throw fail(.invalidUTF8(byte: lead)) }
        position += length
    }

    private mutating func parseEscape(into result: inout String) throws(JSONParseError) {
        let escapeStart = position
        position += 1
        guard position < bytes.count else { throw fail(.unterminatedEscape, at: escapeStart) }
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
                    throw fail(.unpairedHighSurrogate(first), at: escapeStart)
                }
                position += 2
                let second = try parseHex4(escapeStart)
                guard (0xDC00...0xDFFF).contains(second) else { throw fail(.invalidSurrogatePair, at: escapeStart) }
                result.unicodeScalars.append(Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))!)
            } else if (0xDC00...0xDFFF).contains(first) {
                throw fail(.unpairedLowSurrogate(first), at: escapeStart)
            } else {
                result.unicodeScalars.append(Unicode.Scalar(first)!)
            }
        default:
            throw fail(.invalidEscape(Character(Unicode.Scalar(byte))), at: escapeStart)
        }
    }

    private mutating func parseHex4(_ escapeStart: Int) throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard position < bytes.count, let digit = Self.hexValue(bytes[position]) else {
                throw fail(.invalidUnicodeEscape, at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// number = [ "-" ] int [ frac ] [ exp ]; int = "0" / digit1-9 *digit. Keeps the source text.
    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = position
        func isDigit(_ index: Int) -> Bool {
            index < bytes.count && bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9")
        }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard isDigit(position) else { throw fail(.invalidNumber(reason: "'-' must be followed by a digit"), at: start) }
        if bytes[position] == UInt8(ascii: "0") && isDigit(position + 1) {
            throw fail(.invalidNumber(reason: "leading zeros are not allowed in JSON"), at: start)
        }
        while isDigit(position) { position += 1 }
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard isDigit(position) else { throw fail(.invalidNumber(reason: "'.' must be followed by a digit"), at: start) }
            while isDigit(position) { position += 1 }
        }
        if position < bytes.count && (bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E")) {
            position += 1
            if position < bytes.count && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")) { position += 1 }
            guard isDigit(position) else { throw fail(.invalidNumber(reason: "exponent needs digits"), at: start) }
            while isDigit(position) { position += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        return .number(Double(text) ?? .nan, text: text)
    }
}
