/// The guide's decision framework as data: questions, choices, and where each choice leads.
///
///     prompting ── no ──────────────────────────────▶ try prompting first
///        │ yes
///     problem ─── knowledge ─────────────────────────▶ use RAG
///        │ behaviour / both
///     data ────── fewer than 100 ────────────────────▶ collect more data
///        │ 100-500 (style), 500-2,000 (task), 2,000-10,000 (domain), 10,000+ (behaviour)
///     stability ─ no ────────────────────────────────▶ wait until the task is stable
///        │ yes
///     compute ─── limited (CPU, GPU < 16 GB) ────────▶ QLoRA
///                 one GPU 16-48 GB ──────────────────▶ LoRA
///                 several large GPUs ────────────────▶ full if 10,000+ examples, else LoRA
public enum DecisionFramework {
    public enum QuestionID: String, Sendable, Codable, CaseIterable {
        case prompting, problem, data, stability, compute
    }

    /// What a choice leads to.
    public enum Transition: Sendable, Equatable, Codable {
        case ask(QuestionID)
        case conclude(AdviceVerdict)
        case method(FineTuningMethod)
        /// Full fine-tuning only with a large dataset (10,000+ examples), otherwise LoRA.
        case fullIfLargeData
    }

    public struct Choice: Sendable, Equatable, Codable {
        /// What the user types.
        public var key: String
        public var label: String
        /// The reason this answer contributes to the recommendation.
        public var reason: String
        public var next: Transition
    }

    public struct Question: Sendable, Equatable, Codable {
        public var id: QuestionID
        public var text: String
        public var choices: [Choice]
    }

    public static let questions: [QuestionID: Question] = [
        .prompting: Question(id: .prompting, text: "Have you tried prompting first (clear instructions, a few examples in the prompt)?", choices: [
            Choice(key: "no", label: "not yet", reason: "Prompting is cheaper and often enough; fine-tune only what prompting cannot fix.", next: .conclude(.tryPromptingFirst)),
            Choice(key: "yes", label: "yes, it is not enough", reason: "Prompting alone was not enough.", next: .ask(.problem)),
        ]),
        .problem: Question(id: .problem, text: "What is missing: knowledge (facts, documents, things that change) or behaviour (format, style, a task skill)?", choices: [
            Choice(key: "knowledge", label: "knowledge", reason: "Missing or changing facts are a retrieval problem: RAG keeps them current and citable; fine-tuning does not reliably teach facts.", next: .conclude(.useRAG)),
            Choice(key: "behaviour", label: "behaviour", reason: "The gap is behaviour (format, style, task skill), which fine-tuning teaches well.", next: .ask(.data)),
            Choice(key: "both", label: "both", reason: "Use RAG for the facts and fine-tune the behaviour.", next: .ask(.data)),
        ]),
        .data: Question(id: .data, text: "How many good, checked examples can you train on?", choices: [
            Choice(key: "<100", label: "fewer than 100", reason: "Under 100 examples is too few to fine-tune reliably: collect more, or use them as few-shot examples.", next: .conclude(.collectMoreData)),
            Choice(key: "100-500", label: "100-500", reason: "100-500 examples suit a style or tone change.", next: .ask(.stability)),
            Choice(key: "500-2000", label: "500-2,000", reason: "500-2,000 examples suit specialising on a task.", next: .ask(.stability)),
            Choice(key: "2000-10000", label: "2,000-10,000", reason: "2,000-10,000 examples suit domain expertise.", next: .ask(.stability)),
            Choice(key: "10000+", label: "10,000 or more", reason: "10,000+ examples allow a large behaviour change.", next: .ask(.stability)),
        ]),
        .stability: Question(id: .stability, text: "Will the task stay the same for months (format, policy, labels)?", choices: [
            Choice(key: "no", label: "no, it still changes", reason: "A changing task would need retraining each time; keep prompting (and RAG) until it settles.", next: .conclude(.waitUntilStable)),
            Choice(key: "yes", label: "yes", reason: "The task is stable, so a tuned model stays useful.", next: .ask(.compute)),
        ]),
        .compute: Question(id: .compute, text: "What will you train on?", choices: [
            Choice(key: "limited", label: "a CPU or a GPU under 16 GB", reason: "Limited memory: QLoRA's 4-bit base needs about a quarter of LoRA's memory.", next: .method(.qlora)),
            Choice(key: "gpu", label: "one GPU with 16-48 GB", reason: "One mid-size GPU: LoRA trains well at about 1.2× the model size.", next: .method(.lora)),
            Choice(key: "cluster", label: "several large GPUs", reason: "Plenty of compute: full fine-tuning (about 4× the model size) is possible.", next: .fullIfLargeData),
        ]),
    ]

    /// The first question.
    public static let start: QuestionID = .prompting
}

/// The framework's conclusion.
public enum AdviceVerdict: String, Sendable, Codable {
    case tryPromptingFirst = "try_prompting_first"
    case useRAG = "use_rag"
    case collectMoreData = "collect_more_data"
    case waitUntilStable = "wait_until_stable"
    case fineTune = "fine_tune"
}
