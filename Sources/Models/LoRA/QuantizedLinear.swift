import TensorCore

/// A frozen projection over a GGUF block-quantized weight (`Q4_1`, `Q8_0`, `Q4_K`, …) kept in its
/// own encoding, dequantized on the fly: LoRA directly over a llama.cpp base.
///
/// ```
/// forward:  W = dequant(blocks)   [out, in]   (a per-layer temporary)
///           y = x Wᵀ (+ b)        [N, out]
/// backward: dx += dy W            [N, in]
/// ```
/// As for `NF4Linear`, the temporary lives until the recording tape is reset.
public final class QuantizedLinear: LinearLayer, DenseWeightLinear {
    public let weight: QuantizedMatrix
    public let bias: Tensor?

    public init(weight: QuantizedMatrix, bias: Tensor? = nil) {
        precondition(bias == nil || bias!.shape == [weight.rows], "QuantizedLinear: bias \(bias!.shape) does not match \(weight.rows) outputs")
        self.weight = weight
        self.bias = bias
    }

    public var inFeatures: Int { weight.cols }
    public var outFeatures: Int { weight.rows }

    /// A new float32 tensor `[out, in]` holding the dequantized weight.
    public func denseWeight() -> Tensor {
        let w = Tensor(zeros: [weight.rows, weight.cols])
        weight.dequantize(rows: 0..<weight.rows, into: UnsafeMutableBufferPointer(start: w.pointer, count: w.count))
        return w
    }

    public func forward(_ x: Tensor, tape: Tape) -> Tensor {
        let y = tape.linear(x, denseWeight())
        guard let bias else { return y }
        return tape.add(y, bias)
    }
}
