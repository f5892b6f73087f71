import TensorCore

/// Global-norm gradient clipping with `torch.nn.utils.clip_grad_norm_` semantics (L2 norm):
///
/// ```
/// norm = √(Σ gᵢ²)                 over every trainable value (accumulated in float64)
/// coef = max_norm / (norm + 1e-6)
/// g   ← g · coef                  only when coef < 1
/// ```
/// A non-finite norm leaves the gradients untouched (the trainer skips such a step).
public enum GradientClipping {
    /// The L2 norm of `count` values, accumulated in float64 per chunk and summed in chunk order
    /// (chunks of 32768 values: the same bits at any core count).
    public static func globalNorm(_ values: UnsafePointer<Float>, count: Int) -> Double {
        let chunks = Parallelism.fixedChunkCount(count, chunkSize: 1 << 15)
        var partial = [Double](repeating: 0, count: chunks)
        partial.withUnsafeMutableBufferPointer { out in
            let sink = UncheckedSendable(out.baseAddress!)
            parallelFixedChunks(count, chunkSize: 1 << 15) { chunk, range in
                var sum = 0.0
                for i in range { let v = Double(values[i]); sum += v * v }
                sink.value[chunk] = sum
            }
        }
        return partial.reduce(0, +).squareRoot()
    }

    /// The gradient norm of `parameters`.
    public static func globalNorm(_ parameters: TrainableParameters) -> Double {
        globalNorm(parameters.gradients.base, count: parameters.count)
    }

    /// Scales the gradients so their norm is at most `maxNorm`; returns the norm before clipping.
    @discardableResult
    public static func clip(_ parameters: TrainableParameters, maxNorm: Double) -> Double {
        clip(parameters.gradients.base, count: parameters.count, maxNorm: maxNorm)
    }

    /// Clips `count` gradient values in place; returns the norm before clipping.
    @discardableResult
    public static func clip(_ gradients: UnsafeMutablePointer<Float>, count: Int, maxNorm: Double) -> Double {
        precondition(maxNorm > 0, "clip: max_norm must be positive, got \(maxNorm)")
        let norm = globalNorm(gradients, count: count)
        guard norm.isFinite else { return norm }
        let coefficient = maxNorm / (norm + 1e-6)
        if coefficient < 1 {
            let c = Float(coefficient)
            for i in 0..<count { gradients[i] *= c }
        }
        return norm
    }
}
