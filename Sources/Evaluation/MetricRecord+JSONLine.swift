import Foundation

extension MetricRecord {
    /// One compact JSON object on one line, keys in the fixed order, numbers in their shortest
    /// round-tripping form (`{"step":3,"loss":2.31,"lr":0.0002}`).
    public var jsonLine: String {
        let parts = orderedFields().map { name, value -> String in
            let text: String
            switch value {
            case .integer(let n): text = String(n)
            case .real(let x): text = x.isFinite ? Self.jsonNumber(x) : "\"\(NumberText.short(x))\""
            }
            return "\"\(name)\":\(text)"
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// Reads one metrics line (the inverse of `jsonLine`).
    public init(jsonLine: String) throws {
        self = try JSONDecoder().decode(MetricRecord.self, from: Data(jsonLine.utf8))
    }

    /// Reads JSON Lines (blank lines skipped).
    public static func records(jsonLines text: String) throws -> [MetricRecord] {
        try text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .map { try MetricRecord(jsonLine: $0) }
    }

    /// Shortest round-trip decimal; integral values keep no fraction (`3` rather than `3.0`).
    static func jsonNumber(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        // Swift's description is the shortest round-tripping form and valid JSON ("2e-05").
        return "\(x)"
    }
}
