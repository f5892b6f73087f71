/// What the fine-tune is for, which sets how many examples the guide recommends.
public enum TrainingGoal: String, Sendable, Hashable, Codable, CaseIterable {
    /// Style or tone: 100-500 examples.
    case style
    /// Task specialisation: 500-2,000.
    case task
    /// Domain expertise: 2,000-10,000.
    case domain
    /// Large behaviour change: 10,000+.
    case behaviour

    /// Recommended example counts; `upper` nil means no upper bound.
    public var recommended: (lower: Int, upper: Int?) {
        switch self {
        case .style: return (100, 500)
        case .task: return (500, 2_000)
        case .domain: return (2_000, 10_000)
        case .behaviour: return (10_000, nil)
        }
    }

    /// `100-500`, `10,000+`.
    public var rangeText: String {
        let (lower, upper) = recommended
        return upper.map { "\(lower.grouped)-\($0.grouped)" } ?? "\(lower.grouped)+"
    }

    /// The goal named `name` (`behavior` accepted too).
    public init?(named name: String) {
        switch name.lowercased() {
        case "style", "tone": self = .style
        case "task": self = .task
        case "domain": self = .domain
        case "behaviour", "behavior": self = .behaviour
        default: return nil
        }
    }
}

extension Int {
    /// `12,345`.
    var grouped: String {
        let digits = String(Swift.abs(self))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return self < 0 ? "-" + out : out
    }
}
