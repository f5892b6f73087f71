/// One held-out example with the checks its reply must pass.
public struct EvalCase: Sendable, Equatable, Codable {
    /// Stable identifier (line number or id field), used to match base and tuned results.
    public var id: String
    public var prompt: String
    public var checks: [GenerationCheck]
    /// Tags from the record's `tags` list, e.g. `edge`, `non-english`, `long`.
    public var tags: [String]
    /// The record's category (its `category` field, or the field `eval by=` names).
    public var category: String?

    public init(id: String, prompt: String, checks: [GenerationCheck], tags: [String] = [], category: String? = nil) {
        self.id = id
        self.prompt = prompt
        self.checks = checks
        self.tags = tags
        self.category = category
    }

    /// Runs every check on a reply.
    public func evaluate(reply: String) -> ExampleResult {
        ExampleResult(id: id, prompt: prompt, reply: reply, tags: tags, category: category,
                      outcomes: checks.map { $0.evaluate(reply) })
    }
}

/// The checks of one example on one reply.
public struct ExampleResult: Sendable, Equatable, Codable {
    public var id: String
    public var prompt: String
    public var reply: String
    public var tags: [String]
    public var category: String?
    public var outcomes: [CheckOutcome]

    public init(id: String, prompt: String, reply: String, tags: [String] = [], category: String? = nil, outcomes: [CheckOutcome]) {
        self.id = id
        self.prompt = prompt
        self.reply = reply
        self.tags = tags
        self.category = category
        self.outcomes = outcomes
    }

    /// Every check passed (an example without checks passes).
    public var passed: Bool { outcomes.allSatisfy(\.passed) }
    /// Number of checks passed.
    public var passedCount: Int { outcomes.filter(\.passed).count }
    /// The failed outcomes.
    public var failures: [CheckOutcome] { outcomes.filter { !$0.passed } }
}
