import TensorCore

/// A projection `y[..., out] = x[..., in] · Wᵀ (+ b)` the model calls by its Hugging Face module
/// name (`model.layers.3.self_attn.q_proj`). Dense float32, quantized and LoRA-wrapped layers all
/// conform, so a method (full, LoRA, QLoRA) swaps layers without touching the model code.
public protocol LinearLayer: AnyObject {
    var inFeatures: Int { get }
    var outFeatures: Int { get }
    /// Records the projection on `tape` (gradients flow to `x` and to any trainable weights).
    func forward(_ x: Tensor, tape: Tape) -> Tensor
    /// Whether the recorded backward reads the input's values: a trainable weight's gradient
    /// `dW = dyᵀ · x` (or LoRA's `dA`) does; a frozen projection's `dx = dy · W` does not, so a
    /// training forward may release an input that only frozen projections consumed
    /// (`LlamaModel`'s blocks do). When unsure, true.
    var readsInputInBackward: Bool { get }
}

extension LinearLayer {
    public var readsInputInBackward: Bool { true }
}

/// A float32 weight `[out, in]` and optional bias `[out]`, both views into the model's arena.
public final class DenseLinear: LinearLayer {
    public let weight: Tensor
    public let bias: Tensor?

    public init(weight: Tensor, bias: Tensor? = nil) {
        precondition(weight.rank == 2, "linear weight must be [out, in], got \(weight.shape)")
        precondition(bias == nil || bias!.shape == [weight.shape[0]], "bias \(bias!.shape) does not match weight \(weight.shape)")
        self.weight = weight
        self.bias = bias
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }
    /// Only a trainable weight's gradient reads the input (the bias's does not).
    public var readsInputInBackward: Bool { weight.requiresGrad }

    public func forward(_ x: Tensor, tape: Tape) -> Tensor {
        let y = tape.linear(x, weight)
        guard let bias else { return y }
        return tape.add(y, bias)
    }
}
