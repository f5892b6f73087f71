import Foundation

/// A learning-rate schedule with linear warmup, as Hugging Face transformers defines them
/// (`get_constant_schedule_with_warmup`, `get_linear_schedule_with_warmup`,
/// `get_cosine_schedule_with_warmup` with 0.5 cycles, and `get_cosine_with_min_lr_schedule_with_warmup`
/// when there is a floor), queried by optimizer step (0-based; the first step uses `lr(at: 0)`, as
/// `LambdaLR` does). The decays end at the floor `m = min_lr / base` instead of 0:
///
/// ```
/// warmup (step < W):  f = step / max(1, W)
/// constant:           f = 1
/// linear:             d = max(0, (N − step) / max(1, N − W)),                         f = m + (1 − m)·d
/// cosine:             p = (step − W) / max(1, N − W),  d = max(0, ½·(1 + cos(π · 2c · p))),  f = m + (1 − m)·d   c = 0.5
/// lr = base · f
/// ```
///
/// With no floor (`m = 0`) `f = d` exactly, bit for bit.
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
    /// The rate linear and cosine decay to (`min_lr`; 0 by default), at most the base rate. Warmup
    /// still starts from 0, as in transformers.
    public var minimumLearningRate: Double

    public init(kind: Kind, baseLearningRate: Double, warmupSteps: Int = 0, totalSteps: Int = 0, cycles: Double = 0.5,
                minimumLearningRate: Double = 0) {
        precondition(minimumLearningRate >= 0 && minimumLearningRate <= baseLearningRate,
                     "LearningRateSchedule: minimum \(minimumLearningRate) must be between 0 and the base rate \(baseLearningRate)")
        self.kind = kind
        self.baseLearningRate = baseLearningRate
        self.warmupSteps = max(0, warmupSteps)
        self.totalSteps = max(0, totalSteps)
        self.cycles = cycles
        self.minimumLearningRate = minimumLearningRate
    }

    private enum CodingKeys: String, CodingKey { case kind, baseLearningRate, warmupSteps, totalSteps, cycles, minimumLearningRate }

    /// Decodes a schedule; one written before `minimumLearningRate` existed has no floor.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        baseLearningRate = try c.decode(Double.self, forKey: .baseLearningRate)
        warmupSteps = try c.decode(Int.self, forKey: .warmupSteps)
        totalSteps = try c.decode(Int.self, forKey: .totalSteps)
        cycles = try c.decode(Double.self, forKey: .cycles)
        minimumLearningRate = try c.decodeIfPresent(Double.self, forKey: .minimumLearningRate) ?? 0
    }

    /// The floor as a share of the base rate, `m`.
    public var floorFraction: Double { baseLearningRate > 0 ? minimumLearningRate / baseLearningRate : 0 }

    /// The factor `f` applied to the base rate at `step`.
    public func multiplier(at step: Int) -> Double {
        if step < warmupSteps { return Double(step) / Double(max(1, warmupSteps)) }
        switch kind {
        case .constant:
            return 1
        case .linear:
            let decay = max(0, Double(totalSteps - step) / Double(max(1, totalSteps - warmupSteps)))
            return floorFraction + (1 - floorFraction) * decay
        case .cosine:
            let progress = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
            let decay = max(0, 0.5 * (1 + cos(Double.pi * cycles * 2 * progress)))
            return floorFraction + (1 - floorFraction) * decay
        }
    }

    /// The learning rate of optimizer step `step`.
    public func lr(at step: Int) -> Double { baseLearningRate * multiplier(at: step) }

    /// The rates of `steps` (for `plot lr`).
    public func values(steps: Range<Int>) -> [Double] { steps.map(lr(at:)) }
}
