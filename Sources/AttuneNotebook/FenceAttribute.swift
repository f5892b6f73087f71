/// One `name=value` pair in a fence's info string, e.g. `n=3`, `id="k7p2"`, `tags=["parameters"]`.
///
/// Values are written as JSON: numbers bare, strings quoted with JSON escapes, lists as arrays.
public struct FenceAttribute: Sendable, Equatable {
    public var name: String
    public var value: JSONValue

    public init(name: String, value: JSONValue) {
        self.name = name
        self.value = value
    }

    /// `name=value` as written in a fence line.
    var text: String { "\(name)=\(value.compactText)" }
}

/// Errors in an info string, with the byte column (1-based) where they start.
struct InfoStringError: Error {
    var column: Int
    var message: String
}

/// Splits an info string such as `attune n=3 id="k7p2"` into its word and attributes.
enum InfoString {
    static func parse(_ info: String) throws(InfoStringError) -> (word: String, arguments: [String], attributes: [FenceAttribute]) {
        let bytes = Array(info.utf8)
        var i = 0
        var words: [String] = []
        var attributes: [FenceAttribute] = []
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
        func isNameByte(_ b: UInt8) -> Bool {
            (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2D
        }
        while i < bytes.count {
            while i < bytes.count, isSpace(bytes[i]) { i += 1 }
            guard i < bytes.count else { break }
            let start = i
            while i < bytes.count, isNameByte(bytes[i]) { i += 1 }
            let name = String(decoding: bytes[start..<i], as: UTF8.self)
            if i < bytes.count, bytes[i] == UInt8(ascii: "="), !name.isEmpty {
                i += 1
                guard i < bytes.count, !isSpace(bytes[i]) else {
                    throw InfoStringError(column: i + 1, message: "attribute '\(name)' has no value")
                }
                let value: JSONValue
                if bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "[") || bytes[i] == UInt8(ascii: "{") {
                    do {
                        let (v, end) = try JSONValue.parsePrefix(bytes, from: i)
                        value = v
                        i = end
                    } catch {
                        throw InfoStringError(column: error.offset + 1, message: "attribute '\(name)': \(error.message)")
                    }
                } else {
                    let vStart = i
                    while i < bytes.count, !isSpace(bytes[i]) { i += 1 }
                    let raw = String(decoding: bytes[vStart..<i], as: UTF8.self)
                    if let number = try? JSONValue.parse(raw), number.doubleValue != nil {
                        value = number
                    } else {
                        value = .string(raw)
                    }
                }
                if i < bytes.count, !isSpace(bytes[i]) {
                    throw InfoStringError(column: i + 1, message: "expected a space after attribute '\(name)'")
                }
                attributes.append(FenceAttribute(name: name, value: value))
            } else {
                while i < bytes.count, !isSpace(bytes[i]) { i += 1 }
                let word = String(decoding: bytes[start..<i], as: UTF8.self)
                if !attributes.isEmpty {
                    throw InfoStringError(column: start + 1, message: "unexpected word '\(word)' after attributes")
                }
                words.append(word)
            }
        }
        guard let first = words.first else { throw InfoStringError(column: 1, message: "empty info string") }
        return (first, Array(words.dropFirst()), attributes)
    }
}
