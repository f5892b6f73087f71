import Essentials

/// The recommendation at the end of `advise`, with the reasons behind it.
public struct Recommendation: Sendable, Equatable, Codable {
    public var verdict: AdviceVerdict
    /// The method, when the verdict is to fine-tune.
    public var method: FineTuningMethod?
    /// One sentence.
    public var summary: String
    /// One reason per answer given, in order.
    public var reasons: [String]
    /// The answers, as (question, choice key), for the notebook.
    public var answers: [Answer]

    public struct Answer: Sendable, Equatable, Codable {
        public var question: DecisionFramework.QuestionID
        public var choice: String
    }

    /// The recommendation and its reasons as a few plain lines.
    public var text: String {
        ([summary] + reasons.map { "  - " + $0 }).joined(separator: "\n")
    }
}

/// The `advise` questionnaire: a small state machine over `DecisionFramework`.
public struct Advisor: Sendable, Equatable, Codable {
    public enum Step: Sendable, Equatable {
        case question(DecisionFramework.Question)
        case recommendation(Recommendation)
    }

    public enum AnswerError: Error, Sendable, Equatable, CustomStringConvertible {
        case unknownChoice(String, question: DecisionFramework.QuestionID, choices: [String])
        case alreadyFinished

        public var description: String {
            switch self {
            case let .unknownChoice(key, question, choices):
                return "'\(key)' is not an answer to the \(question.rawValue) question (choose \(choices.joined(separator: ", ")))"
            case .alreadyFinished: return "the questionnaire is finished"
            }
        }
    }

    public private(set) var current: DecisionFramework.QuestionID?
    public private(set) var answers: [Recommendation.Answer] = []
    public private(set) var result: Recommendation?

    public init() {
        current = DecisionFramework.start
    }

    /// The current question, or the recommendation once finished.
    public var step: Step {
        if let result { return .recommendation(result) }
        return .question(DecisionFramework.questions[current!]!)
    }

    /// Answers the current question with a choice key (case-insensitive) and moves on.
    @discardableResult
    public mutating func answer(_ key: String) throws(AnswerError) -> Step {
        guard let id = current, let question = DecisionFramework.questions[id] else { throw .alreadyFinished }
        guard let choice = question.choices.first(where: { $0.key.lowercased() == key.lowercased() }) else {
            throw .unknownChoice(key, question: id, choices: question.choices.map(\.key))
        }
        answers.append(Recommendation.Answer(question: id, choice: choice.key))
        switch choice.next {
        case .ask(let next): current = next
        case .conclude(let verdict): finish(verdict, method: nil)
        case .method(let method): finish(.fineTune, method: method)
        case .fullIfLargeData:
            finish(.fineTune, method: answers.contains { $0.question == .data && $0.choice == "10000+" } ? .full : .lora)
        }
        return step
    }

    /// Runs the questionnaire on a list of answers (e.g. `advise yes behaviour 500-2000 yes limited`).
    public static func run(_ keys: [String]) throws(AnswerError) -> Step {
        var advisor = Advisor()
        for key in keys { try advisor.answer(key) }
        return advisor.step
    }

    private mutating func finish(_ verdict: AdviceVerdict, method: FineTuningMethod?) {
        current = nil
        var reasons = answers.compactMap { answer in
            DecisionFramework.questions[answer.question]?.choices.first { $0.key == answer.choice }?.reason
        }
        let summary: String
        switch verdict {
        case .tryPromptingFirst: summary = "Try prompting first: write clear instructions and a few examples, then fine-tune only if that falls short."
        case .useRAG: summary = "Use retrieval (RAG), not fine-tuning: the gap is knowledge."
        case .collectMoreData: summary = "Collect more data before fine-tuning: aim for at least 100 good examples."
        case .waitUntilStable: summary = "Wait until the task is stable; until then prompt (and retrieve)."
        case .fineTune:
            let method = method!
            let range = method.learningRateRange
            summary = "Fine-tune with \(method.displayName): learning rate \(NumberText.significant(range.lowerBound)) to \(NumberText.significant(range.upperBound)), 1-3 epochs, warmup then cosine."
            if method == .lora, answers.contains(where: { $0.question == .compute && $0.choice == "cluster" }) {
                reasons.append("With fewer than 10,000 examples full fine-tuning rarely beats LoRA and forgets more, so LoRA it is.")
            }
        }
        result = Recommendation(verdict: verdict, method: method, summary: summary, reasons: reasons, answers: answers)
    }
}
