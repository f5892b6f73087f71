/// Exponential moving average with bias correction, the smoothing of loss curves.
///
///     s₀ = 0,   sₜ = β·sₜ₋₁ + (1 − β)·xₜ,   ŝₜ = sₜ / (1 − βᵗ)
///
/// The correction `1 − βᵗ` removes the pull towards the zero start, so the first smoothed value
/// equals the first observation. β = 0.9 averages over roughly the last 1/(1 − β) = 10 steps.
/// Non-finite observations are not absorbed (the smoothed value stays where it was), so one NaN
/// step does not poison the rest of the curve; the warning detectors report it instead.
public struct ExponentialMovingAverage: Sendable, Equatable, Codable {
    /// Weight of the past, in [0, 1).
    public let beta: Double
    private var raw: Double = 0
    private var count: Int = 0

    public init(beta: Double = 0.9) {
        precondition(beta >= 0 && beta < 1, "EMA beta must be in [0, 1), got \(beta)")
        self.beta = beta
    }

    /// The bias-corrected average, nil before the first finite observation.
    public var value: Double? {
        count == 0 ? nil : raw / (1 - pow(beta, count))
    }

    /// Absorbs one observation and returns the new smoothed value.
    @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        guard x.isFinite else { return value }
        raw = beta * raw + (1 - beta) * x
        count += 1
        return value
    }

    /// The smoothed series of `values` (non-finite entries repeat the previous smoothed value,
    /// or stay non-finite before the first finite one).
    public static func smooth(_ values: [Double], beta: Double = 0.9) -> [Double] {
        var ema = ExponentialMovingAverage(beta: beta)
        return values.map { ema.update($0) ?? $0 }
    }
}

/// `b` raised to the integer power `n` by repeated squaring (no Foundation needed here).
@inline(__always)
func pow(_ b: Double, _ n: Int) -> Double {
    var result = 1.0
    var base = b
    var exponent = n
    while exponent > 0 {
        if exponent & 1 == 1 { result *= base }
        base *= base
        exponent >>= 1
    }
    return result
}
