import Essentials

/// Pass counts of one group of outcomes (one check kind, or one tag).
public struct PassCount: Sendable, Equatable, Codable {
    public var name: String
    public var passed: Int
    public var total: Int
    public var rate: Double { total == 0 ? 0 : Double(passed) / Double(total) }
    /// The rate's 95% Wilson interval (nil when there is nothing to count).
    public var interval: WilsonInterval? { WilsonInterval(successes: Double(passed), trials: total) }

    public init(name: String, passed: Int, total: Int) {
        self.name = name
        self.passed = passed
        self.total = total
    }
}

/// Counts, rates and failing examples of an evaluation set.
///
/// An example passes when all its checks pass. `byCheck` counts individual checks by kind;
/// `byTag` counts examples per tag (the edge-case set summary: one line per category).
public struct EvalReport: Sendable, Equatable, Codable {
    public var results: [ExampleResult]

    public init(results: [ExampleResult]) {
        self.results = results
    }

    public var total: Int { results.count }
    public var passed: Int { results.filter(\.passed).count }
    public var failed: Int { total - passed }
    public var passRate: Double { total == 0 ? 0 : Double(passed) / Double(total) }
    public var failures: [ExampleResult] { results.filter { !$0.passed } }

    /// Check outcomes grouped by check kind, in first-seen order.
    public var byCheck: [PassCount] {
        group(results.flatMap { result in result.outcomes.map { ($0.check, $0.passed) } })
    }

    /// Examples grouped by tag, in first-seen order (an example counts under each of its tags).
    public var byTag: [PassCount] {
        group(results.flatMap { result in result.tags.map { ($0, result.passed) } })
    }

    /// Examples grouped by category, sorted by name, each with its rates per check.
    public var byCategory: [GroupRates] { GroupRates.byCategory(results) }

    /// JSON replies that were extracted from prose or fences rather than strictly valid.
    public var wrappedJSONCount: Int {
        results.filter { $0.outcomes.contains { $0.strictlyValidJSON == false } }.count
    }

    private func group(_ pairs: [(String, Bool)]) -> [PassCount] {
        var order: [String] = []
        var counts: [String: PassCount] = [:]
        for (name, ok) in pairs {
            if counts[name] == nil {
                order.append(name)
                counts[name] = PassCount(name: name, passed: 0, total: 0)
            }
            counts[name]!.total += 1
            if ok { counts[name]!.passed += 1 }
        }
        return order.map { counts[$0]! }
    }

    /// A short plain report: totals, per check, per tag, then up to `maxFailures` failing examples.
    public func text(title: String = "eval", maxFailures: Int = 10) -> String {
        var lines = ["\(title): \(passed)/\(total) passed (\(NumberText.percent(passRate)))"]
        for count in byCheck {
            lines.append("  \(count.name): \(count.passed)/\(count.total) (\(NumberText.percent(count.rate)))")
        }
        for count in byTag {
            lines.append("  [\(count.name)] \(count.passed)/\(count.total) (\(NumberText.percent(count.rate)))")
        }
        if wrappedJSONCount > 0 {
            lines.append("  \(wrappedJSONCount) replies wrapped their JSON in prose or a fence")
        }
        let failing = failures
        if !failing.isEmpty {
            lines.append("failing:")
            for result in failing.prefix(maxFailures) {
                let reasons = result.failures.map { "\($0.check): \($0.detail)" }.joined(separator: "; ")
                lines.append("  \(result.id): \(reasons)")
            }
            if failing.count > maxFailures { lines.append("  … and \(failing.count - maxFailures) more") }
        }
        return lines.joined(separator: "\n")
    }
}
