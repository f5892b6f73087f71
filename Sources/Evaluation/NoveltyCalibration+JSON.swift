import Essentials

/// The calibration as a JSON file (`novelty calibrate … save=PATH`, read by `attune serve`):
///
///     {"attune_novelty": 1, "model": "…", "calibration_set": "val", "reference_set": "train",
///      "false_alarm_target": 0.05, "threshold": 0.95, "flagged": 2, "count": 40,
///      "perplexities": [ascending…], "distances": [ascending…],
///      "reference_signatures": ["8 hex digits per MinHash entry", …]}
///
/// Everything the score needs is in the file, so a server scores requests without the data.
extension NoveltyCalibration {
    public static let formatVersion = 1

    public var json: JSONValue {
        func numbers(_ values: [Double]) -> JSONValue { .array(values.map { .number($0) }) }
        return .object([
            ("attune_novelty", .number(Double(Self.formatVersion))),
            ("model", .string(modelName)),
            ("calibration_set", .string(setName)),
            ("reference_set", .string(referenceName)),
            ("false_alarm_target", .number(falseAlarmTarget)),
            ("threshold", .number(threshold)),
            ("flagged", .number(Double(flagged))),
            ("count", .number(Double(count))),
            ("perplexities", numbers(perplexity.sorted)),
            ("distances", numbers(distance.sorted)),
            ("reference_signatures", .array(referenceSignatures.map { .string(Self.hex($0)) })),
        ])
    }

    /// Reads `json`'s text back; errors name the key.
    public init(json text: String) throws {
        let value: JSONValue
        do { value = try JSONValue.parse(text) } catch { throw NoveltyError("not JSON: \(error)") }
        guard value.objectValue != nil, let version = value["attune_novelty"]?.intValue else {
            throw NoveltyError("not a novelty calibration (no \"attune_novelty\" key); write one with novelty calibrate … save=PATH")
        }
        guard version == Self.formatVersion else {
            throw NoveltyError("calibration format \(version) is not the one this build reads (\(Self.formatVersion)); calibrate again")
        }
        func number(_ key: String) throws -> Double {
            guard let x = value[key]?.doubleValue, x.isFinite else { throw NoveltyError("'\(key)' must be a number") }
            return x
        }
        func numbers(_ key: String) throws -> [Double] {
            guard let items = value[key]?.arrayValue else { throw NoveltyError("'\(key)' must be an array of numbers") }
            return try items.map {
                guard let x = $0.doubleValue, x.isFinite else { throw NoveltyError("'\(key)' holds \($0.typeDescription), not a number") }
                return x
            }
        }
        let perplexities = try numbers("perplexities"), distances = try numbers("distances")
        let count = try number("count"), flagged = try number("flagged"), target = try number("false_alarm_target")
        let threshold = try number("threshold")
        guard Int(count) == perplexities.count, Int(count) == distances.count, count >= 1 else {
            throw NoveltyError("'count' is \(count) but the file holds \(perplexities.count) perplexities and \(distances.count) distances")
        }
        guard (0...1).contains(threshold), (0...count).contains(flagged), target > 0, target < 1 else {
            throw NoveltyError("'threshold' (0…1), 'flagged' (0…count) or 'false_alarm_target' (between 0 and 1) is out of range")
        }
        guard let items = value["reference_signatures"]?.arrayValue else { throw NoveltyError("'reference_signatures' must be an array of texts") }
        let signatures = try items.enumerated().map { index, item -> [UInt32] in
            guard let text = item.stringValue, let signature = Self.signature(hex: text) else {
                throw NoveltyError("'reference_signatures'[\(index)] is not a signature (8 hexadecimal digits per entry)")
            }
            return signature
        }
        self.init(perplexity: EmpiricalPercentile(perplexities), distance: EmpiricalPercentile(distances), falseAlarmTarget: target,
                  threshold: threshold, flagged: Int(flagged), count: Int(count), setName: value["calibration_set"]?.stringValue ?? "",
                  referenceName: value["reference_set"]?.stringValue ?? "", modelName: value["model"]?.stringValue ?? "",
                  referenceSignatures: signatures)
    }

    /// A signature as 8 hexadecimal digits per entry.
    static func hex(_ signature: [UInt32]) -> String {
        var text = ""
        text.reserveCapacity(signature.count * 8)
        for value in signature {
            let digits = String(value, radix: 16)
            text += String(repeating: "0", count: 8 - digits.count) + digits
        }
        return text
    }

    /// `hex(_:)`'s text read back; nil unless it is a whole, non-empty number of 8-digit entries.
    static func signature(hex text: String) -> [UInt32]? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count % 8 == 0 else { return nil }
        var out = [UInt32]()
        out.reserveCapacity(bytes.count / 8)
        var index = 0
        while index < bytes.count {
            guard let value = UInt32(String(decoding: bytes[index..<(index + 8)], as: UTF8.self), radix: 16) else { return nil }
            out.append(value)
            index += 8
        }
        return out
    }
}
