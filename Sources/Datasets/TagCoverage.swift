import Essentials

/// How a data set's `tags` lists cover it (`"tags": ["edge", "long"]`): examples per tag, in
/// first-seen order, and how many examples carry no tag. Evaluation reports a rate per tag, so a
/// tag on a single example gives a rate of 0 or 1 and an interval that says nothing.
public struct TagCoverage: Sendable, Hashable, Codable {
    public struct Count: Sendable, Hashable, Codable {
        public var tag: String
        public var examples: Int
    }

    public var counts: [Count]
    public var tagged: Int
    public var untagged: Int
    /// Lines of the first untagged examples.
    public var untaggedLines: [Int]

    /// Nil when no example has a tag.
    public init?(dataset: Dataset) {
        var order = [String](), counts = [String: Int]()
        var untaggedLines = [Int](), tagged = 0
        for example in dataset.examples {
            if example.tags.isEmpty { untaggedLines.append(example.line); continue }
            tagged += 1
            for tag in example.tags {
                if counts[tag] == nil { order.append(tag) }
                counts[tag, default: 0] += 1
            }
        }
        guard tagged > 0 else { return nil }
        self.counts = order.map { Count(tag: $0, examples: counts[$0]!) }
        self.tagged = tagged
        untagged = untaggedLines.count
        self.untaggedLines = Array(untaggedLines.prefix(20))
    }

    /// Tags on a single example.
    public var singles: [String] { counts.filter { $0.examples == 1 }.map(\.tag) }

    /// The `tags` row: `7 tags on 9 of 10 examples: edge 9, long 1, …; 1 untagged`.
    public func section(file: String, listed: Int) -> CheckSection {
        let total = tagged + untagged
        var summary = "\(counts.count) tag\(counts.count == 1 ? "" : "s") on \(tagged) of \(total) examples: "
            + counts.map { "\($0.tag) \($0.examples)" }.joined(separator: ", ")
        if untagged > 0 { summary += "; \(untagged) untagged" }
        let singles = singles
        if !singles.isEmpty { summary += "; \(singles.count) on one example only (its rate is 0 or 1)" }
        return CheckSection(name: "tags", status: .ok, count: counts.count, summary: summary,
                            worst: untaggedLines.prefix(listed).map { ExampleReference(file: file, line: $0, note: "untagged") })
    }
}
