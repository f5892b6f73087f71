import TensorCore

/// Stochastic gradient descent as `torch.optim.SGD` (not maximizing):
///
/// ```
/// d ← g + λ·p                              (weight decay λ, coupled, default 0)
/// b ← d                                    first step with momentum μ ≠ 0
/// b ← μ·b + (1 − dampening)·d              later steps
/// d ← d + μ·b  (nesterov)   or   d ← b
/// p ← p − lr·d
/// ```
public final class SGD: Optimizer {
    public var learningRate: Double
    public var momentum: Double
    public var dampening: Double
    public var weightDecay: Double
    public var nesterov: Bool
    public private(set) var stepCount = 0
    /// The momentum buffer `b` (empty until the first step with momentum).
    public private(set) var momentumBuffer: [Float] = []

    public init(learningRate: Double, momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) {
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: nesterov needs momentum > 0 and dampening 0 (as torch requires)")
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    public func step(_ parameters: TrainableParameters) {
        step(values: parameters.values, gradients: parameters.gradients.base, count: parameters.count)
    }

    /// One update over `count` values and gradients.
    public func step(values p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int) {
        let lr = Float(learningRate), mu = Float(momentum), damp = Float(1 - dampening), wd = Float(weightDecay)
        let first = momentumBuffer.isEmpty
        if momentum != 0 && first { momentumBuffer = [Float](repeating: 0, count: count) }
        precondition(momentum == 0 || momentumBuffer.count == count, "SGD: momentum buffer holds \(momentumBuffer.count) values, parameters \(count)")
        stepCount += 1
        momentumBuffer.withUnsafeMutableBufferPointer { buffer in
            for i in 0..<count {
                var d = g[i]
                if wd != 0 { d += wd * p[i] }
                if mu != 0 {
                    let b = buffer.baseAddress!
                    b[i] = first ? d : b[i] * mu + damp * d
                    d = nesterov ? d + mu * b[i] : b[i]
                }
                p[i] = p[i] - lr * d
            }
        }
    }

    /// Restores the step count and momentum buffer (checkpoint resume).
    public func restore(stepCount: Int, momentumBuffer: [Float]) {
        self.stepCount = stepCount
        self.momentumBuffer = momentumBuffer
    }
}
