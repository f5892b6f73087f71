import Essentials

/// Bytes needed to train, by kind, with the guide's rule of thumb beside them.
public struct MemoryEstimate: Sendable, Equatable, Codable {
    /// Frozen base plus trainable weights (fp32; NF4 base for QLoRA).
    public var weights: Double
    /// fp32 gradients of the trainable parameters.
    public var gradients: Double
    /// AdamW first and second moments, fp32: 8 bytes per trainable parameter.
    public var optimizer: Double
    /// Values saved for the backward pass (see `Estimator.activationValues`).
    public var activations: Double
    /// Scratch: one chunk of logits and their gradient for the loss, and for a quantized base the
    /// largest matrix dequantized to fp32 at a time.
    public var workspace: Double

    public var total: Double { weights + gradients + optimizer + activations + workspace }
}

/// The guide's rules of thumb: full ≈ 4 × model size, LoRA ≈ 1.2 ×, QLoRA ≈ ¼ of LoRA, where the
/// model size is the fp32 weights (4 bytes per parameter: Attune trains in fp32 on the CPU).
public struct RuleOfThumb: Sendable, Equatable, Codable {
    public var modelSize: Double
    public var full: Double { 4 * modelSize }
    public var lora: Double { 1.2 * modelSize }
    public var qlora: Double { lora / 4 }

    public func value(for method: FineTuningMethod) -> Double {
        switch method {
        case .full: return full
        case .lora: return lora
        case .qlora: return qlora
        }
    }

    public var text: String {
        "full ≈ 4 × \(NumberText.bytes(modelSize)) = \(NumberText.bytes(full)), LoRA ≈ 1.2 × = \(NumberText.bytes(lora)), QLoRA ≈ ¼ of LoRA = \(NumberText.bytes(qlora))"
    }
}
