/// The three fine-tuning methods of the guide, with the learning rates it recommends for each.
public enum TrainingMethod: String, Sendable, Hashable, CaseIterable {
    case full, lora, qlora

    /// "full fine-tuning", "LoRA", "QLoRA".
    public var displayName: String {
        switch self {
        case .full: return "full fine-tuning"
        case .lora: return "LoRA"
        case .qlora: return "QLoRA"
        }
    }

    /// The guide's learning-rate range: full 1e-5…5e-5, LoRA 1e-4…3e-4, QLoRA 2e-4…5e-4.
    public var recommendedLearningRate: ClosedRange<Double> {
        switch self {
        case .full: return 1e-5...5e-5
        case .lora: return 1e-4...3e-4
        case .qlora: return 2e-4...5e-4
        }
    }
}

/// `method …`: the method and its adapter settings (dropout is the `dropout` hyperparameter).
public struct MethodSettings: Sendable, Hashable {
    public var method: TrainingMethod = .lora
    /// True once `method` was given (before that, LoRA is assumed for advice).
    public var isChosen = false
    /// LoRA rank `R`.
    public var rank = 16
    /// LoRA alpha; the update is scaled by alpha/r (alpha/√r with rsLoRA).
    public var alpha: Double = 32
    /// Module names the adapters wrap (Hugging Face names), or `all-linear`.
    public var targets = ["q_proj", "v_proj"]
    /// rank-stabilised scaling alpha/√r.
    public var rsLoRA = false
    /// LoRA's frozen base: `loaded` keeps the weights as the file stores them, `bf16` stores every
    /// matrix in bfloat16 (half of float32; the middle ground between LoRA and QLoRA).
    public var base = "loaded"

    /// The choices of `base`.
    public static let baseNames = ["loaded", "bf16"]

    public init() {}

    /// The modules a target list may name.
    public static let targetNames = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "all-linear"]

    /// `lora r=16 alpha=32 targets=[q_proj, v_proj]` (`full` alone for full fine-tuning).
    public var summary: String {
        guard method != .full else { return "full" }
        var text = "\(method.rawValue) r=\(rank) alpha=\(NumberText.short(alpha)) targets=[\(targets.joined(separator: ", "))]"
        if rsLoRA { text += " rslora=true" }
        if method == .lora, base != "loaded" { text += " base=\(base)" }
        return text
    }
}
