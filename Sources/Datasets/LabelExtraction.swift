import Essentials

/// Where an example's class label comes from, for balance checks and stratified splits.
public enum LabelSource: String, Sendable, Hashable, Codable {
    /// A `category` or `label` key on the line.
    case field
    /// A `category` or `label` key inside a JSON object output (`{"category": "billing", …}`).
    case outputJSON = "output-json"
    /// Short outputs or completions (three words or fewer) used as labels.
    case shortTargets = "short-targets"
    /// No labels.
    case none
}

/// Finds the labels of a data set's examples.
public enum LabelExtraction {
    /// The label source that covers the set, and each example's label (raw spelling, trimmed
    /// of nothing: formatting checks look at the spelling).
    public static func labels(for examples: [Example]) -> (source: LabelSource, labels: [String?]) {
        guard !examples.isEmpty else { return (.none, []) }
        let fields = examples.map(\.label)
        if fields.filter({ $0 != nil }).count * 2 >= examples.count { return (.field, fields) }

        let fromJSON = examples.map { jsonLabel($0.content.target) }
        if fromJSON.filter({ $0 != nil }).count * 2 >= examples.count { return (.outputJSON, fromJSON) }

        guard examples.first?.format != .text else { return (.none, fields) }
        let targets = examples.map { $0.content.target }
        let short = targets.allSatisfy { $0.count <= 24 && $0.split(whereSeparator: \.isWhitespace).count <= 3 }
        let distinct = Set(targets.map { $0.trimmingWhitespace.lowercased() })
        if short && distinct.count <= max(2, min(50, examples.count / 5)) { return (.shortTargets, targets) }
        return (.none, fields)
    }

    /// `category` or `label` of a JSON object text.
    static func jsonLabel(_ text: String) -> String? {
        let trimmed = text.trimmingWhitespace
        guard trimmed.hasPrefix("{"), let object = try? JSONValue.parse(trimmed), object.objectValue != nil else { return nil }
        for key in Example.labelKeys { if let value = object[key]?.stringValue { return value } }
        return nil
    }

    /// The label as counted: trimmed and lowercased.
    static func canonical(_ label: String) -> String { label.trimmingWhitespace.lowercased() }
}

extension String {
    /// Without leading and trailing whitespace and newlines.
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
