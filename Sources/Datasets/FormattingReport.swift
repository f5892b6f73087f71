/// Consistency of the examples' form: key layouts, system prompts, surrounding whitespace,
/// how targets end, how labels are spelled.
public struct FormattingReport: Sendable, Hashable, Codable {
    /// A variant and how many examples use it, with its first line.
    public struct Variant: Sendable, Hashable, Codable {
        public var value: String
        public var count: Int
        public var firstLine: Int
    }

    /// Key layouts (order of keys), most common first.
    public var schemas: [Variant]
    /// Distinct system prompts (first 60 characters; `(none)` for conversations without one).
    public var systemPrompts: [Variant]
    /// Lines whose texts start or end with whitespace.
    public var whitespaceLines: [Int]
    /// How sentence-like targets end (`.!?`, bracket/quote, or a bare word), most common first.
    public var targetEndings: [Variant]
    /// Lines whose target ends differently from most.
    public var inconsistentEndingLines: [Int]
    /// Labels spelled several ways (`Positive`, `positive`, `positive `): each group's spellings.
    public var labelSpellings: [[Variant]]

    init(dataset: Dataset, labels: [String?]) {
        let examples = dataset.examples
        func variants(_ values: [(String, Int)]) -> [Variant] {
            var table = [String: Variant]()
            var order = [String]()
            for (value, line) in values {
                if table[value] == nil { table[value] = Variant(value: value, count: 0, firstLine: line); order.append(value) }
                table[value]!.count += 1
            }
            return order.map { table[$0]! }.sorted { $0.count > $1.count || ($0.count == $1.count && $0.firstLine < $1.firstLine) }
        }
        schemas = variants(examples.map { (dataset.schemas[$0.schema], $0.line) })
        if dataset.format == .chat {
            systemPrompts = variants(examples.map { example in
                (example.content.systemPrompt.map { String($0.prefix(60)) } ?? "(none)", example.line)
            })
        } else {
            systemPrompts = []
        }
        whitespaceLines = examples.filter { example in
            var padded = false
            example.content.forEachField { name, text in
                guard !padded, let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
                      first.properties.isWhitespace || last.properties.isWhitespace else { return }
                // A completion conventionally starts with one space (it continues the prompt).
                let completionSpace = example.format == .completion && first == " " && !last.properties.isWhitespace && name() == "completion"
                if !completionSpace { padded = true }
            }
            return padded
        }.map(\.line)

        // Endings of sentence-like targets (four words or more).
        var endings = [(String, Int)]()
        var endingByLine = [Int: String]()
        for example in examples {
            let target = example.content.target
            guard TextNormalization.hasWords(target, atLeast: 4),
                  let last = target.unicodeScalars.last(where: { !$0.properties.isWhitespace }) else { continue }
            let kind = ".!?…".unicodeScalars.contains(last) ? "sentence punctuation"
                : "})]\"'`".unicodeScalars.contains(last) ? "closing bracket or quote" : "no final punctuation"
            endings.append((kind, example.line))
            endingByLine[example.line] = kind
        }
        targetEndings = variants(endings)
        if let major = targetEndings.first, targetEndings.count > 1, Double(major.count) >= 0.8 * Double(endings.count) {
            inconsistentEndingLines = endings.filter { $0.0 != major.value }.map(\.1)
        } else {
            inconsistentEndingLines = []
        }

        var spellings = [String: [(String, Int)]]()
        for (example, label) in zip(examples, labels) {
            guard let label else { continue }
            spellings[LabelExtraction.canonical(label), default: []].append((label, example.line))
        }
        labelSpellings = spellings.keys.sorted().compactMap { key in
            let group = variants(spellings[key]!)
            return group.count > 1 ? group : nil
        }
    }

    func section(dataset: Dataset, listed: Int) -> CheckSection {
        let file = dataset.fileName
        var parts = [String]()
        var worst = [ExampleReference]()
        var affected = 0
        if schemas.count > 1 {
            let minority = schemas.dropFirst().reduce(0) { $0 + $1.count }
            affected += minority
            parts.append("\(schemas.count) key layouts")
            worst += schemas.dropFirst().map { ExampleReference(file: file, line: $0.firstLine, note: "keys \($0.value) (\($0.count)×)") }
        }
        if systemPrompts.count > 1 {
            let minority = systemPrompts.dropFirst().reduce(0) { $0 + $1.count }
            affected += minority
            parts.append("\(systemPrompts.count) system prompts")
            worst += systemPrompts.dropFirst().map { ExampleReference(file: file, line: $0.firstLine, note: "system prompt \"\($0.value)\" (\($0.count)×)") }
        }
        if !whitespaceLines.isEmpty {
            affected += whitespaceLines.count
            parts.append("\(whitespaceLines.count) with leading/trailing whitespace")
            worst += whitespaceLines.prefix(2).map { ExampleReference(file: file, line: $0, note: "leading/trailing whitespace") }
        }
        if !inconsistentEndingLines.isEmpty {
            affected += inconsistentEndingLines.count
            parts.append("\(inconsistentEndingLines.count) targets end unlike the rest (\(targetEndings[0].value))")
            worst += inconsistentEndingLines.prefix(2).map { ExampleReference(file: file, line: $0, note: "target ending differs") }
        }
        for group in labelSpellings {
            affected += group.dropFirst().reduce(0) { $0 + $1.count }
            parts.append("label spelled " + group.map { "'\($0.value)'" }.joined(separator: "/"))
            worst += group.dropFirst().map { ExampleReference(file: file, line: $0.firstLine, note: "label '\($0.value)' (\($0.count)×)") }
        }
        return CheckSection(name: "formatting", status: affected > 0 ? .warning : .ok, count: affected,
                            summary: parts.isEmpty ? "consistent layout, prompts, whitespace and endings" : parts.joined(separator: "; "),
                            worst: Array(worst.prefix(listed)),
                            fix: affected > 0 ? "make the listed lines match the majority (trim whitespace, one system prompt, one label spelling)" : nil)
    }
}
