/// The criteria a rater scores each output on.
public struct Rubric: Sendable, Equatable, Codable {
    public struct Criterion: Sendable, Equatable, Codable {
        public var name: String
        public var question: String
        public var scale: ClosedRange<Int>

        public init(name: String, question: String, scale: ClosedRange<Int> = 1...5) {
            self.name = name
            self.question = question
            self.scale = scale
        }
    }

    public var criteria: [Criterion]

    public init(criteria: [Criterion]) {
        self.criteria = criteria
    }

    /// Custom criteria, each on 1-5.
    public init(names: [String]) {
        criteria = names.map { Criterion(name: $0, question: "How good is the \($0)?") }
    }

    /// The guide's rubric: accuracy, tone, completeness, each 1-5.
    public static let standard = Rubric(criteria: [
        Criterion(name: "accuracy", question: "Is the answer correct?"),
        Criterion(name: "tone", question: "Is the tone right for the audience?"),
        Criterion(name: "completeness", question: "Does it cover everything asked?"),
    ])

    public var names: [String] { criteria.map(\.name) }
}
