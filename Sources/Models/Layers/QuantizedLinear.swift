import TensorCore

/// A frozen projection whose weight `[out, in]` stays in its file's block quantization (Q4_1,
/// Q8_0, …) and is dequantized to float32 only while a forward or backward step needs it, so a
/// Q4_1 model costs about 5 bits per weight in memory, not 32.
///
/// Forward: `y = x · deq(W)ᵀ`. Backward (the weight never trains): `dx += dy · deq(W)`, with `W`
/// dequantized again rather than kept, so a recorded forward holds no float32 copy (see
/// `frozenProjection`). This is also LoRA's base over a llama.cpp file kept in its quantization.
public final class QuantizedLinear: LinearLayer, DenseWeightLinear {
    public let weight: QuantizedMatrix
    /// The weight packed for the bf16 GEMM, made on first use in `bf16` numerics (the blocks never
    /// change): 4 bytes per weight, against ~0.6 for Q4_1 blocks, for a bf16 step ~7% faster.
    /// `NF4Linear` (QLoRA, chosen for its memory) does not cache.
    public let bf16Cache = BF16WeightCache()

    public init(weight: QuantizedMatrix) { self.weight = weight }

    /// Quantized bases carry no bias (a GGUF bias is a float32 tensor of the model's arena).
    public var bias: Tensor? { nil }

    public var inFeatures: Int { weight.cols }
    public var outFeatures: Int { weight.rows }
    /// Frozen: backward needs only the weight (`frozenProjection`).
    public var readsInputInBackward: Bool { false }

    /// The weight expanded to float32 `[out, in]` (a new tensor: used on the fly by forward and
    /// backward, and for merging an adapter into it).
    public func denseWeight() -> Tensor {
        let w = Tensor(zeros: [weight.rows, weight.cols])
        dequantize(into: w.pointer)
        return w
    }

    /// Writes the weight as float32 `[out, in]` to `out`.
    func dequantize(into out: UnsafeMutablePointer<Float>) {
        weight.dequantize(rows: 0..<weight.rows, into: UnsafeMutableBufferPointer(start: out, count: weight.rows * weight.cols))
    }

    /// Up to this many input rows without a gradient (decoding), rows of `W` are dotted with the
    /// inputs straight from the blocks, never materialising the float32 matrix. A tape with
    /// `independentRows` (a batched decoding step) takes that path at any row count, so each
    /// row gets the bits it gets alone.
    public static let rowwiseLimit = 4

    public func forward(_ x: Tensor, tape: Tape) -> Tensor {
        precondition(x.columns == inFeatures, "quantized linear: input \(x.shape) does not end in \(inFeatures)")
        guard x.rows <= Self.rowwiseLimit || tape.independentRows, !tape.needsGrad(x) else {
            return frozenProjection(x, outFeatures: outFeatures, tape: tape, bf16Cache: bf16Cache) { [self] in dequantize(into: $0) }
        }
        let y = Tensor(zeros: Array(x.shape.dropLast()) + [outFeatures])
        rowwiseProduct(x: x.pointer, y: y.pointer, rows: x.rows)
        return y
    }

    /// `y[i, r] = x[i, :] · deq(W[r, :])` for a few rows `i`, output rows split over the cores.
    /// Q8_0/Q4_0/Q4_1 weights multiply 16-bit activations with integer dots
    /// (`Int16Activations`, within 1.5e-5 of float); other types dequantize one row at a time into a small buffer.
    /// Either way each weight row is read once for all `m` input rows, and row `i`'s outputs do
    /// not depend on the other rows or on `m` (each is quantized and dotted on its own).
    private func rowwiseProduct(x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>, rows m: Int) {
        let (k, n) = (inFeatures, outFeatures)
        let type = weight.type
        if Int16Activations.supports(type) {
            let activations = Int16Activations(x, rows: m, columns: k)
            parallelChunks(n, minChunk: 64) { _, range in
                let first = weight.rowBytes(range.lowerBound).baseAddress!
                if m == 1 {
                    activations.multiply(type, weights: first, rowBytes: weight.rowByteCount, rows: range.count, row: 0,
                                         into: y + range.lowerBound)
                } else {
                    activations.multiplyAllRows(type, weights: first, rowBytes: weight.rowByteCount, rows: range.count,
                                                into: y + range.lowerBound, ldy: n)
                }
            }
            return
        }
        parallelChunks(n, minChunk: 64) { _, range in
            let row = UnsafeMutableBufferPointer<Float>.allocate(capacity: k)
            defer { row.deallocate() }
            for r in range {
                weight.dequantizeRow(r, into: row)
                for i in 0..<m { y[i * n + r] = VectorMath.dot(x + i * k, row.baseAddress!, count: k) }
            }
        }
    }
}
