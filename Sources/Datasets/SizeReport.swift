/// The number of examples against the guide's guidance for the goal.
public struct SizeReport: Sendable, Hashable, Codable {
    public var examples: Int
    public var goal: TrainingGoal?
    /// `below`, `within`, `above`, or nil without a goal.
    public var verdict: String?
    /// Goals whose recommended range contains the count.
    public var fittingGoals: [TrainingGoal]

    init(examples: Int, goal: TrainingGoal?) {
        self.examples = examples
        self.goal = goal
        fittingGoals = TrainingGoal.allCases.filter { candidate in
            let (lower, upper) = candidate.recommended
            return examples >= lower && examples <= (upper ?? .max)
        }
        if let goal {
            let (lower, upper) = goal.recommended
            verdict = examples < lower ? "below" : examples > (upper ?? .max) ? "above" : "within"
        }
    }

    func section(file: String) -> CheckSection {
        guard let goal, let verdict else {
            let fits = fittingGoals.isEmpty ? "fewer than any goal needs (style: 100+)" : "fits " + fittingGoals.map(\.rawValue).joined(separator: ", ")
            return CheckSection(name: "size", status: fittingGoals.isEmpty ? .warning : .ok, count: examples,
                                summary: "\(examples.grouped) examples; \(fits)",
                                fix: fittingGoals.isEmpty ? "add examples (the guide: style 100-500)" : "pass goal=style|task|domain|behaviour to compare with the guide")
        }
        switch verdict {
        case "below":
            return CheckSection(name: "size", status: .warning, count: examples,
                                summary: "\(examples.grouped) examples, below \(goal.rangeText) for \(goal.rawValue)",
                                fix: "add about \((goal.recommended.lower - examples).grouped) examples, or aim for a narrower goal")
        case "above":
            return CheckSection(name: "size", status: .ok, count: examples,
                                summary: "\(examples.grouped) examples, more than \(goal.rangeText) for \(goal.rawValue) (fine; epochs take longer)")
        default:
            return CheckSection(name: "size", status: .ok, count: examples,
                                summary: "\(examples.grouped) examples, within \(goal.rangeText) for \(goal.rawValue)")
        }
    }
}
