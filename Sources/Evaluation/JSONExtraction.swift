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
    public var value: JSONNode
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
        if let value = try? JSONNode(parsing: trimmed) {
            return ExtractedJSON(value: value, placement: .whole, text: trimmed)
        }
        let scalars = Array(reply.unicodeScalars)
        let fenceOpenings = fenceStarts(scalars)
        for start in scalars.indices where scalars[start] == "{" {
            guard let (value, end) = JSONNode.parsePrefix(scalars, at: start) else { continue }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars[start..<end])
            let insideFence = fenceOpenings.contains { $0.open < start && end <= $0.close }
            return ExtractedJSON(value: value, placement: insideFence ? .fenced : .embedded, text: text)
        }
        return nil
    }

    /// Ranges between an opening ``` line and its closing ``` (or the end of the text).
    private static func fenceStarts(_ scalars: [Unicode.Scalar]) -> [(open: Int, close: Int)] {
        var marks: [Int] = []
        var i = 0
        while i + 2 < scalars.count {
            if scalars[i] == "`", scalars[i + 1] == "`", scalars[i + 2] == "`" {
                marks.append(i)
                i += 3
            } else {
                i += 1
            }
        }
        var ranges: [(Int, Int)] = []
        var k = 0
        while k < marks.count {
            let close = k + 1 < marks.count ? marks[k + 1] : scalars.count
            ranges.append((marks[k], close))
            k += 2
        }
        return ranges
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
