/// The distribution of labels (categories, or short outputs used as labels).
public struct BalanceReport: Sendable, Hashable, Codable {
    public struct LabelCount: Sendable, Hashable, Codable {
        public var label: String
        public var count: Int
        public var firstLine: Int
    }

    public var source: LabelSource
    /// Counts per label (trimmed, lowercased), most common first.
    public var counts: [LabelCount]
    /// Most common count over least common count; nil without labels.
    public var imbalanceRatio: Double?
    /// Ratio from which the section warns.
    public static let warningRatio = 3.0

    init(dataset: Dataset, source: LabelSource, labels: [String?]) {
        self.source = source
        var table = [String: LabelCount]()
        for (example, label) in zip(dataset.examples, labels) {
            guard let label else { continue }
            let key = LabelExtraction.canonical(label)
            table[key, default: LabelCount(label: key, count: 0, firstLine: example.line)].count += 1
        }
        counts = table.values.sorted { $0.count > $1.count || ($0.count == $1.count && $0.label < $1.label) }
        if source != .none, counts.count >= 2, let most = counts.first, let least = counts.last {
            imbalanceRatio = (Double(most.count) / Double(least.count) * 100).rounded() / 100
        } else {
            imbalanceRatio = nil
        }
    }

    func section(file: String, listed: Int) -> CheckSection {
        guard source != .none, let ratio = imbalanceRatio else {
            return CheckSection(name: "balance", status: .skipped, count: 0,
                                summary: counts.count == 1 ? "one label only (\(counts[0].label))" : "no labels (no category/label field, outputs are not short labels)")
        }
        let distribution = counts.prefix(6).map { "\($0.label) \($0.count)" }.joined(separator: ", ") + (counts.count > 6 ? ", …" : "")
        let rare = counts.filter { Double(counts[0].count) / Double($0.count) >= Self.warningRatio }
        let status: CheckStatus = ratio >= Self.warningRatio ? .warning : .ok
        return CheckSection(name: "balance", status: status, count: status == .ok ? 0 : rare.reduce(0) { $0 + $1.count },
                            summary: "\(counts.count) labels (\(source.rawValue)), ratio \(ratio): \(distribution)",
                            worst: status == .ok ? [] : rare.prefix(listed).map { ExampleReference(file: file, line: $0.firstLine, note: "rare label '\($0.label)' (\($0.count)×)") },
                            fix: status == .ok ? nil : "add examples of the rare labels (or down-sample '\(counts[0].label)'); data split keeps the label shares in every part")
    }
}
