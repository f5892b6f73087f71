import TensorCore

/// A linear layer whose weight can be produced as a dense float32 matrix `[out, in]`: a plain
/// `DenseLinear` returns its own weight; quantized bases (NF4, GGUF blocks) dequantize a copy.
/// `LoRALinear.merged()` folds an adapter into this matrix.
public protocol DenseWeightLinear: LinearLayer {
    /// The weight `[out, in]` as float32 (for a quantized base, a newly dequantized copy).
    func denseWeight() -> Tensor
    /// Optional bias `[out]`.
    var bias: Tensor? { get }
}

extension DenseLinear: DenseWeightLinear {
    /// The layer's own weight view (not a copy).
    public func denseWeight() -> Tensor { weight }
}
