/// The three fine-tuning methods of the guide, with its recommended learning-rate ranges.
public enum FineTuningMethod: String, Sendable, Codable, CaseIterable {
    /// Every weight trained, fp32 weights with AdamW.
    case full
    /// Low-rank adapters on a frozen base.
    case lora
    /// Low-rank adapters on a frozen 4-bit (NF4) base.
    case qlora

    /// The guide's learning-rate range: full 1e-5…5e-5, LoRA 1e-4…3e-4, QLoRA 2e-4…5e-4.
    public var learningRateRange: ClosedRange<Double> {
        switch self {
        case .full: return 1e-5...5e-5
        case .lora: return 1e-4...3e-4
        case .qlora: return 2e-4...5e-4
        }
    }

    /// A starting value inside the range (about its geometric middle, rounded): 2e-5, 2e-4, 3e-4.
    public var suggestedLearningRate: Double {
        switch self {
        case .full: return 2e-5
        case .lora: return 2e-4
        case .qlora: return 3e-4
        }
    }

    /// "full fine-tuning", "LoRA", "QLoRA".
    public var displayName: String {
        switch self {
        case .full: return "full fine-tuning"
        case .lora: return "LoRA"
        case .qlora: return "QLoRA"
        }
    }
}
