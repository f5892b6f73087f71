/// Personal data and secrets found in the examples.
public struct PIIReport: Sendable, Hashable, Codable {
    /// One finding; the matched text is masked (`ma…@…`) so the report itself leaks nothing.
    public struct Finding: Sendable, Hashable, Codable {
        public var line: Int
        /// `messages[1].content`, `output`, …
        public var field: String
        public var kind: PIIKind
        public var masked: String
    }

    /// Matches per kind.
    public var counts: [PIIKind: Int]
    /// Examples with at least one match.
    public var examplesAffected: Int
    /// The first findings in file order (at most `limit`).
    public var findings: [Finding]
    /// All findings, including those not listed.
    public var total: Int

    static let limit = 200

    init(dataset: Dataset, scanner: PIIScanner = PIIScanner()) {
        counts = [:]; examplesAffected = 0; findings = []; total = 0
        for example in dataset.examples {
            var hit = false
            example.content.forEachField { field, text in
                for match in scanner.scan(text) {
                    hit = true
                    total += 1
                    counts[match.kind, default: 0] += 1
                    if findings.count < Self.limit {
                        findings.append(Finding(line: example.line, field: field(), kind: match.kind, masked: Self.mask(match.text)))
                    }
                }
            }
            if hit { examplesAffected += 1 }
        }
    }

    /// The first two characters and the length: enough to find it, not enough to leak it.
    static func mask(_ text: String) -> String {
        "\(text.prefix(2))…(\(text.count) chars)"
    }

    func section(file: String, listed: Int) -> CheckSection {
        let kinds = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.rawValue)" }
        var seenLines = Set<Int>()
        let worst = findings.filter { seenLines.insert($0.line).inserted }.prefix(listed).map {
            ExampleReference(file: file, line: $0.line, note: "\($0.kind.rawValue) in \($0.field)")
        }
        return CheckSection(name: "pii", status: total > 0 ? .problem : .ok, count: examplesAffected,
                            summary: total == 0 ? "no personal data or secrets found" : "\(total) matches: " + kinds.joined(separator: ", "),
                            worst: Array(worst), fix: total > 0 ? "data redact" : nil)
    }
}
