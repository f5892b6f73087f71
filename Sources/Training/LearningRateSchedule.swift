import Foundation

/// A learning-rate schedule with linear warmup, as Hugging Face transformers defines them
/// (`get_constant_schedule_with_warmup`, `get_linear_schedule_with_warmup`,
/// `get_cosine_schedule_with_warmup` with 0.5 cycles), queried by optimizer step (0-based; the
/// first step uses `lr(at: 0)`, as `LambdaLR` does):
///
/// ```
/// warmup (step < W):  f = step / max(1, W)
/// constant:           f = 1
/// linear:             f = max(0, (N − step) / max(1, N − W))
/// cosine:             p = (step − W) / max(1, N − W),  f = max(0, ½·(1 + cos(π · 2c · p)))   c = 0.5
/// lr = base · f
/// ```
public struct LearningRateSchedule: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case constant, linear, cosine
    }

    public var kind: Kind
    /// The peak learning rate.
    public var baseLearningRate: Double
    /// Steps of linear warmup `W`.
    public var warmupSteps: Int
    /// Total optimizer steps `N` (the decay reaches 0 at `N` for linear and cosine).
    public var totalSteps: Int
    /// Cosine cycles `c` (0.5: one half-wave from peak to zero).
    public var cycles: Double

    public init(kind: Kind, baseLearningRate: Double, warmupSteps: Int = 0, totalSteps: Int = 0, cycles: Double = 0.5) {
        self.kind = kind
        self.baseLearningRate = baseLearningRate
        self.warmupSteps = max(0, warmupSteps)
        self.totalSteps = max(0, totalSteps)
        self.cycles = cycles
    }

    /// The factor `f` applied to the base rate at `step`.
    public func multiplier(at step: Int) -> Double {
        if step < warmupSteps { return Double(step) / Double(max(1, warmupSteps)) }
        switch kind {
        case .constant:
            return 1
        case .linear:
            return max(0, Double(totalSteps - step) / Double(max(1, totalSteps - warmupSteps)))
        case .cosine:
            let progress = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
            return max(0, 0.5 * (1 + cos(Double.pi * cycles * 2 * progress)))
        }
    }

    /// The learning rate of optimizer step `step`.
    public func lr(at step: Int) -> Double { baseLearningRate * multiplier(at: step) }

    /// The rates of `steps` (for `plot lr`).
    public func values(steps: Range<Int>) -> [Double] { steps.map(lr(at:)) }
}
