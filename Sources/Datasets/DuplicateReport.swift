/// Exact and near-duplicate examples, by line.
public struct DuplicateReport: Sendable, Hashable, Codable {
    /// Groups of identical examples (after whitespace/case normalisation), as line numbers.
    public var exactGroups: [[Int]]
    /// Clusters of near-identical examples, as line numbers.
    public var nearClusters: [[Int]]
    /// Highest similarity within each near cluster (estimated Jaccard of word 3-shingles).
    public var nearSimilarities: [Double]
    public var threshold: Double

    /// Copies `data dedup` would remove (every member of a group but its first).
    public var exactCopies: Int { exactGroups.reduce(0) { $0 + $1.count - 1 } }
    public var nearCopies: Int { nearClusters.reduce(0) { $0 + $1.count - 1 } }

    init(dataset: Dataset, result: DuplicateFinder.Result, threshold: Double) {
        exactGroups = result.exactGroups.map { $0.map { dataset.examples[$0].line } }
        nearClusters = result.nearClusters.map { $0.map { dataset.examples[$0].line } }
        nearSimilarities = result.nearSimilarities.map { ($0 * 100).rounded() / 100 }
        self.threshold = threshold
    }

    func section(file: String, listed: Int) -> CheckSection {
        let count = exactCopies + nearCopies
        var groups: [(lines: [Int], kind: String)] = exactGroups.map { ($0, "exact") }
        groups += nearClusters.map { ($0, "near") }
        groups.sort { a, b in a.lines.count != b.lines.count ? a.lines.count > b.lines.count : a.lines[0] < b.lines[0] }
        let worst = groups.prefix(listed).map { group -> ExampleReference in
            let more = group.lines.count > 2 ? " (+\(group.lines.count - 2) more)" : ""
            return ExampleReference(file: file, line: group.lines[1], note: "\(group.kind) copy of line \(group.lines[0])" + more)
        }
        let summary = count == 0 ? "no exact or near-duplicates"
            : "\(exactCopies) exact copies in \(exactGroups.count) groups, \(nearCopies) near-duplicates in \(nearClusters.count) clusters"
        return CheckSection(name: "duplicates", status: exactCopies > 0 ? .problem : nearCopies > 0 ? .warning : .ok,
                            count: count, summary: summary, worst: worst, fix: count > 0 ? "data dedup" : nil)
    }
}
