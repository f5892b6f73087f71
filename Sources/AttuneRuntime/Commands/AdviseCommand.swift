import AttuneLanguage
import Evaluation

/// `advise [prompting=yes|no] [problem=knowledge|behaviour|both] [examples=N] [stability=yes|no]
/// [compute=limited|gpu|cluster]`: the guide's decision framework (``DecisionFramework``) as a
/// short questionnaire answered with keys. The example count comes from the loaded data when not
/// given. Until every question on the path is answered it asks the next one; then it gives the
/// verdict with its reasons and, when the verdict is to fine-tune, starting settings for this
/// session (method, rank, learning rate, epochs, split, evaluation and early stopping).
struct AdviseCommand: RuntimeCommand {
    let spec = StandardSpec.named("advise")
    let schema = ArgumentSchema([
        .keyed("prompting", .choice(["yes", "no"]), default: "asked", "tried prompting first and it was not enough"),
        .keyed("problem", .choice(["knowledge", "behaviour", "both"]), default: "asked", "what is missing: facts, or format/style/skill"),
        .keyed("examples", .integer(.closed(0, 1_000_000_000)), default: "the loaded data's count", "good, checked training examples"),
        .keyed("stability", .choice(["yes", "no"]), default: "asked", "the task stays the same for months"),
        .keyed("compute", .choice(["limited", "gpu", "cluster"]), default: "asked", "a CPU or GPU under 16 GB, one 16-48 GB GPU, or several large GPUs"),
    ])
    let help = CommandHelp("""
        The guide's decision framework: have you tried prompting; is the gap knowledge (use retrieval) \
        or behaviour; how many examples; is the task stable; what compute — then a method. Answer with \
        keys; `advise` alone asks the first question, and each answer brings the next. The example count \
        is taken from the loaded data unless given. A fine-tuning verdict comes with starting settings \
        for this session from the guide's recommendations.
        """, examples: ["advise", "advise prompting=yes problem=behaviour stability=yes compute=limited",
                        "advise prompting=yes problem=both examples=1500 stability=yes compute=gpu"])

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        let session = context.session
        let count = a.integer("examples") ?? session.split?.train.count ?? session.dataset?.examples.count
        var given: [String] = []
        var advisor = Advisor()
        while case .question(let question) = advisor.step {
            let answer: String?
            switch question.id {
            case .prompting: answer = a.word("prompting")
            case .problem: answer = a.word("problem")
            case .data: answer = count.map(Self.dataChoice)
            case .stability: answer = a.word("stability")
            case .compute: answer = a.word("compute")
            }
            guard let answer else {
                context.result(Self.ask(question, given: given, count: count, hasData: session.dataset != nil))
                return
            }
            do { try advisor.answer(answer) } catch { throw CommandError.invalidValue("\(error)", at: context.command.range) }
            given.append(question.id == .data ? "examples=\(count ?? 0)" : "\(Self.key(question.id))=\(answer)")
        }
        guard case .recommendation(let recommendation) = advisor.step else { return }
        var lines = [recommendation.text]
        if let method = recommendation.method, let count {
            lines.append("starting settings (the guide's recommendations for \(NumberText.grouped(count)) examples):")
            lines += Self.settings(method, examples: count, session: session).map { "  " + $0 }
        }
        context.result(lines.joined(separator: "\n"))
    }

    /// The argument key of a question (`examples` for the data question).
    static func key(_ id: DecisionFramework.QuestionID) -> String { id == .data ? "examples" : id.rawValue }

    /// The data question's choice for an example count.
    static func dataChoice(_ count: Int) -> String {
        switch count {
        case ..<100: "<100"
        case ..<500: "100-500"
        case ..<2000: "500-2000"
        case ..<10000: "2000-10000"
        default: "10000+"
        }
    }

    /// The next question, its answers, and the statement that answers it.
    static func ask(_ question: DecisionFramework.Question, given: [String], count: Int?, hasData: Bool) -> String {
        let key = key(question.id)
        var lines = [question.text]
        if question.id == .data {
            lines.append("  examples=N — how many good, checked examples (or load them: data load PATH)")
        } else {
            for choice in question.choices { lines.append("  \(key)=\(choice.key) — \(choice.label)") }
        }
        let example = question.id == .data ? "examples=500" : "\(key)=\(question.choices.last?.key ?? "")"
        lines.append("answer: advise " + (given + [example]).joined(separator: " "))
        return lines.joined(separator: "\n")
    }

    /// Statements to start from: method and rank by the size of the job, the guide's learning
    /// rate, fewer epochs for more data, a 90/10 split, validation and early stopping.
    static func settings(_ method: FineTuningMethod, examples: Int, session: Session) -> [String] {
        var lines = [String]()
        let rank = examples < 500 ? 8 : examples < 2000 ? 16 : 32
        switch method {
        case .full: lines.append("method full")
        case .lora, .qlora: lines.append("method \(method.rawValue) r=\(rank) alpha=\(2 * rank) targets=[q_proj, v_proj]" + (examples >= 2000 ? " (or targets=all-linear for a domain)" : ""))
        }
        if session.split == nil { lines.append("data split train=0.9 val=0.1") }
        let epochs = examples < 500 ? 3 : examples < 10000 ? 2 : 1
        let lr = NumberText.short(method.suggestedLearningRate)
        lines.append("set lr=\(lr) epochs=\(epochs) schedule=cosine warmup=3% eval_every=10 patience=3")
        let range = method.learningRateRange
        lines.append("(the guide's \(method.displayName) range is \(NumberText.short(range.lowerBound)) to \(NumberText.short(range.upperBound)); 1-3 epochs; early stopping keeps the best validation loss)")
        return lines
    }
}
