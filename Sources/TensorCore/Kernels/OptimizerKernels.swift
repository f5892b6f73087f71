import CKernels

/// The optimizer's passes over every trainable value, on the pool, vectorised in CKernels
/// (optimizer.c) with the bits of the scalar definitions: AdamW's element-wise update, and the
/// float64 sum of squares behind gradient clipping, one chain per fixed chunk.
public enum OptimizerKernels {
    /// The per-step scalars of AdamW's update (see `Training.AdamW` for the math).
    public struct AdamWScalars: Sendable {
        public var decay, lerpWeight, beta2, oneMinusBeta2, negStepSize, bias2Sqrt, epsilon: Float
        public init(decay: Float, lerpWeight: Float, beta2: Float, oneMinusBeta2: Float, negStepSize: Float, bias2Sqrt: Float, epsilon: Float) {
            (self.decay, self.lerpWeight, self.beta2, self.oneMinusBeta2) = (decay, lerpWeight, beta2, oneMinusBeta2)
            (self.negStepSize, self.bias2Sqrt, self.epsilon) = (negStepSize, bias2Sqrt, epsilon)
        }
    }

    /// `p`, `m`, `v` updated in place from `g`, `count` values each:
    /// `m ← m + w·(g − m)`, `v ← v·β₂ + (1 − β₂)·g·g`, `p ← p·decay + step·m / (√v / bias2Sqrt + ε)`.
    public static func adamW(values p: UnsafeMutablePointer<Float>, firstMoment m: UnsafeMutablePointer<Float>,
                             secondMoment v: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int,
                             _ s: AdamWScalars) {
        var scalars = attune_adamw_scalars(decay: s.decay, lerp_weight: s.lerpWeight, beta2: s.beta2, one_minus_beta2: s.oneMinusBeta2,
                                           neg_step_size: s.negStepSize, bias2_sqrt: s.bias2Sqrt, epsilon: s.epsilon)
        let pointers = UncheckedSendable((p, m, v, g))
        withUnsafePointer(to: &scalars) { scalarsPointer in
            let sp = UncheckedSendable(scalarsPointer)
            parallelChunks(count, minChunk: 1 << 15) { _, range in
                let (p, m, v, g) = pointers.value
                let i = range.lowerBound
                attune_adamw_update(p + i, m + i, v + i, g + i, range.count, sp.value)
            }
        }
    }

    /// `Σ (double)x[i]²` of each chunk of `chunkSize` values (the last may be shorter), in index
    /// order within a chunk: one partial per chunk, `Parallelism.fixedChunkCount(count, chunkSize:)` of them.
    public static func sumOfSquaresPerChunk(_ x: UnsafePointer<Float>, count: Int, chunkSize: Int) -> [Double] {
        let chunks = Parallelism.fixedChunkCount(count, chunkSize: chunkSize)
        var partial = [Double](repeating: 0, count: chunks)
        partial.withUnsafeMutableBufferPointer { out in
            let sink = UncheckedSendable(out.baseAddress!)
            // Groups of eight chunks: each group's chains run interleaved in one call.
            parallelFixedChunks(chunks, chunkSize: 8) { _, group in
                attune_sum_squares_chunks(x, count, chunkSize, group.lowerBound, group.count, sink.value + group.lowerBound)
            }
        }
        return partial
    }
}
