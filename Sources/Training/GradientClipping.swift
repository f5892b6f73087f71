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
        OptimizerKernels.sumOfSquaresPerChunk(values, count: count, chunkSize: 1 << 15).reduce(0, +).squareRoot()
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
        let norm = globalNorm(gradients, count: count)
        scale(gradients, count: count, norm: norm, maxNorm: maxNorm)
        return norm
    }

    /// Scales the gradients of `parameters`, whose norm `norm` was just computed by `globalNorm`,
    /// to a norm of at most `maxNorm` (the trainer reports the norm and clips without a second pass).
    public static func clip(_ parameters: TrainableParameters, norm: Double, maxNorm: Double) {
        scale(parameters.gradients.base, count: parameters.count, norm: norm, maxNorm: maxNorm)
    }

    private static func scale(_ gradients: UnsafeMutablePointer<Float>, count: Int, norm: Double, maxNorm: Double) {
        precondition(maxNorm > 0, "clip: max_norm must be positive, got \(maxNorm)")
        guard norm.isFinite else { return }
        let coefficient = maxNorm / (norm + 1e-6)
        guard coefficient < 1 else { return }
        let c = Float(coefficient), g = UncheckedSendable(gradients)
        parallelChunks(count, minChunk: 1 << 15) { _, range in
            for i in range { g.value[i] *= c }
        }
    }
}
