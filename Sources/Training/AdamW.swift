import Foundation
import TensorCore

/// AdamW exactly as `torch.optim.AdamW` (single-tensor path, amsgrad off, not maximizing),
/// element by element in float32 with the step scalars in float64 as Python computes them:
///
/// ```
/// t  += 1
/// p  ← p · (1 − lr·λ)                              decoupled weight decay, before the update
/// m  ← m + (1 − β₁)·(g − m)                        (torch lerp_, weight 1 − β₁ < 0.5)
/// v  ← v·β₂ + (1 − β₂)·g·g
/// step_size = lr / (1 − β₁ᵗ)                       (float64)
/// denom     = √v / √(1 − β₂ᵗ) + ε
/// p  ← p − step_size · m / denom
/// ```
/// The moments `m`, `v` mirror the trainable buffer (two floats per parameter).
public final class AdamW: Optimizer {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var weightDecay: Double
    public private(set) var stepCount = 0
    /// First moment `m`, one float per parameter (allocated at the first step).
    public private(set) var firstMoment: [Float] = []
    /// Second moment `v`.
    public private(set) var secondMoment: [Float] = []
    /// Bytes of the moments reported to `TensorMemory` (the engine's memory account).
    private var accountedBytes = 0

    /// torch defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01.
    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0.01) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public func step(_ parameters: TrainableParameters) {
        step(values: parameters.values, gradients: parameters.gradients.base, count: parameters.count)
    }

    /// One update over `count` values and gradients.
    public func step(values: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, count: Int) {
        if firstMoment.isEmpty {
            firstMoment = [Float](repeating: 0, count: count)
            secondMoment = [Float](repeating: 0, count: count)
            accountMoments()
        }
        precondition(firstMoment.count == count, "AdamW: moments hold \(firstMoment.count) values, parameters \(count)")
        stepCount += 1
        let t = Double(stepCount)
        let decay = Float(1 - learningRate * weightDecay)
        let lerpWeight = Float(1 - beta1)
        let b2 = Float(beta2), oneMinusB2 = Float(1 - beta2)
        let stepSize = learningRate / (1 - Foundation.pow(beta1, t))
        let negStepSize = Float(-stepSize)
        let bias2Sqrt = Float((1 - Foundation.pow(beta2, t)).squareRoot())
        let eps = Float(epsilon)
        let scalars = OptimizerKernels.AdamWScalars(decay: decay, lerpWeight: lerpWeight, beta2: b2, oneMinusBeta2: oneMinusB2,
                                                    negStepSize: negStepSize, bias2Sqrt: bias2Sqrt, epsilon: eps)
        firstMoment.withUnsafeMutableBufferPointer { m in
            secondMoment.withUnsafeMutableBufferPointer { v in
                // Vectorised, the same bits as the scalar loop:
                //   p = p·decay;  m = m + w·(g − m);  v = v·β₂ + ((1 − β₂)·g)·g
                //   p = p + (−step·m) / (√v / bias2Sqrt + ε)
                OptimizerKernels.adamW(values: values, firstMoment: m.baseAddress!, secondMoment: v.baseAddress!,
                                       gradients: gradients, count: count, scalars)
            }
        }
    }

    /// Restores moments and step count (checkpoint resume).
    public func restore(stepCount: Int, firstMoment: [Float], secondMoment: [Float]) {
        precondition(firstMoment.count == secondMoment.count, "AdamW restore: moment sizes differ")
        self.stepCount = stepCount
        self.firstMoment = firstMoment
        self.secondMoment = secondMoment
        accountMoments()
    }

    deinit { TensorMemory.freed(accountedBytes) }

    private func accountMoments() {
        TensorMemory.freed(accountedBytes)
        accountedBytes = (firstMoment.count + secondMoment.count) * MemoryLayout<Float>.stride
        TensorMemory.allocated(accountedBytes)
    }
}
