import Essentials

/// How a reply held its JSON.
public enum JSONPlacement: String, Sendable, Codable {
    /// The whole reply (ignoring surrounding whitespace) is one JSON value: strictly valid.
    case whole
    /// A JSON object inside a ``` code fence, with or without prose around it.
    case fenced
    /// A JSON object inside prose.
    case embedded
}

/// The first JSON object found in a model reply.
public struct ExtractedJSON: Sendable, Equatable {
    public var value: JSONValue
    public var placement: JSONPlacement
    /// The JSON text as it appeared in the reply.
    public var text: String
    /// True only when the reply is exactly the JSON value.
    public var isStrict: Bool { placement == .whole }
}

extension ExtractedJSON {
    /// Finds JSON in a reply: the whole reply if it parses, otherwise the first `{` that starts a
    /// complete object (inside a ``` fence or prose). Nil when there is none.
    public static func first(in reply: String) -> ExtractedJSON? {
        let trimmed = reply.trimmingWhitespace
        if let value = try? JSONValue.parse(trimmed) {
            return ExtractedJSON(value: value, placement: .whole, text: trimmed)
        }
        let bytes = Array(reply.utf8)
        let fences = fenceRanges(bytes)
        for start in bytes.indices where bytes[start] == UInt8(ascii: "{") {
            guard let (value, end) = try? JSONValue.parsePrefix(bytes, from: start) else { continue }
            let insideFence = fences.contains { $0.open < start && end <= $0.close }
            return ExtractedJSON(value: value, placement: insideFence ? .fenced : .embedded,
                                 text: String(decoding: bytes[start..<end], as: UTF8.self))
        }
        return nil
    }

    /// Byte ranges between an opening ``` and its closing ``` (or the end of the text).
    private static func fenceRanges(_ bytes: [UInt8]) -> [(open: Int, close: Int)] {
        let backtick = UInt8(ascii: "`")
        var marks: [Int] = []
        var i = 0
        while i + 2 < bytes.count {
            if bytes[i] == backtick, bytes[i + 1] == backtick, bytes[i + 2] == backtick {
                marks.append(i)
                i += 3
            } else {
                i += 1
            }
        }
        var ranges: [(Int, Int)] = []
        var k = 0
        while k < marks.count {
            ranges.append((marks[k], k + 1 < marks.count ? marks[k + 1] : bytes.count))
            k += 2
        }
        return ranges
    }
}

extension JSONParseError {
    /// The error as reply checks word it: `invalid JSON at character N: reason`, N counting
    /// characters (Unicode scalars) of `text` from 1. A value-position surprise reads
    /// "unexpected character 'T'" (the words recorded notebooks show for prose replies).
    func replyDescription(in text: String) -> String {
        let character = String(decoding: text.utf8.prefix(offset), as: UTF8.self).unicodeScalars.count + 1
        let reason: String
        if case .valueExpected(_, let scalar) = problem { reason = "unexpected character '\(scalar)'" } else { reason = message }
        return "invalid JSON at character \(character): \(reason)"
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
