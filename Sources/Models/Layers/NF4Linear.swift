import TensorCore

/// A frozen projection whose weight `[out, in]` is stored in NF4 (QLoRA's base: 4-bit codes in
/// blocks of 64, optionally double-quantized block scales) and dequantized on the fly.
///
/// ```
/// forward:  W = dequant(codes, absmax)  [out, in]   (a per-layer temporary)
///           y = x Wᵀ (+ b)               [N, out]
/// backward: dx += dy W                   [N, in]     (W never gets a gradient)
/// ```
/// Memory: `out·in·(4 + c)/8` bytes resident, `c` = 0.5 bit (plain absmax) or ≈0.127 (double
/// quantization). The float32 weight is a temporary: dequantized in forward, dropped, and
/// dequantized again in backward (`frozenProjection`).
public final class NF4Linear: LinearLayer, DenseWeightLinear {
    public let weight: NF4Tensor
    public let bias: Tensor?

    public init(weight: NF4Tensor, bias: Tensor? = nil) {
        precondition(bias == nil || bias!.shape == [weight.rows], "NF4Linear: bias \(bias!.shape) does not match \(weight.rows) outputs")
        self.weight = weight
        self.bias = bias
    }

    /// Quantizes a dense weight `[out, in]` to NF4 (block 64 by default).
    public convenience init(quantizing dense: Tensor, bias: Tensor? = nil, blockSize: Int = 64, doubleQuant: Bool = false) {
        precondition(dense.rank == 2, "NF4Linear: weight must be [out, in], got \(dense.shape)")
        self.init(weight: NF4Tensor(quantizing: dense.values, rows: dense.shape[0], cols: dense.shape[1],
                                    blockSize: blockSize, doubleQuant: doubleQuant), bias: bias)
    }

    public var inFeatures: Int { weight.cols }
    public var outFeatures: Int { weight.rows }

    /// A new float32 tensor `[out, in]` holding the dequantized weight.
    public func denseWeight() -> Tensor {
        let w = Tensor(zeros: [weight.rows, weight.cols])
        dequantize(into: w.pointer)
        return w
    }

    /// Writes the weight as float32 `[out, in]` to `destination` (rows split over threads).
    func dequantize(into destination: UnsafeMutablePointer<Float>) {
        let (rows, cols, blockSize) = (weight.rows, weight.cols, weight.blockSize)
        let scales = weight.blockAbsmax()
        let out = UncheckedSendable(destination)
        weight.packed.withUnsafeBufferPointer { packed in
            scales.withUnsafeBufferPointer { s in
                parallelChunks(rows, minChunk: max(1, 16_384 / max(cols, 1))) { _, range in
                    let start = range.lowerBound * cols
                    let buffer = UnsafeMutableBufferPointer(start: out.value + start, count: range.count * cols)
                    NF4.dequantize(packed: packed, absmax: { s[$0] }, blockSize: blockSize, start: start, into: buffer)
                }
            }
        }
    }

    /// Frozen: backward needs only the weight (`frozenProjection`).
    public var readsInputInBackward: Bool { false }

    public func forward(_ x: Tensor, tape: Tape) -> Tensor {
        precondition(x.columns == inFeatures, "NF4 linear: input \(x.shape) does not end in \(inFeatures)")
        let y = frozenProjection(x, outFeatures: outFeatures, tape: tape) { [self] in dequantize(into: $0) }
        guard let bias else { return y }
        return tape.add(y, bias)
    }
}
