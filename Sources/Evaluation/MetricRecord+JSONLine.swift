import Essentials
import Foundation

extension MetricRecord {
    /// One compact JSON object on one line, keys in the fixed order, numbers in their shortest
    /// round-tripping form (`{"step":3,"loss":2.31,"lr":0.0002}`).
    public var jsonLine: String {
        JSONValue.object(orderedFields().map { name, value -> (key: String, value: JSONValue) in
            switch value {
            case .integer(let n): return (name, .number(Double(n), text: String(n)))
            case .real(let x): return (name, x.isFinite ? .number(x) : .string(NumberText.significant(x)))
            }
        }).text(.minimal)
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
}
