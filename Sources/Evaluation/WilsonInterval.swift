/// The Wilson score interval for a proportion (Wilson 1927).
///
/// For an observed proportion p̂ over n trials and the normal quantile z (1.959964 for 95%):
///
///     centre    = (p̂ + z²/2n) / (1 + z²/n)
///     halfwidth = z / (1 + z²/n) · √( p̂(1 − p̂)/n + z²/4n² )
///
/// Unlike p̂ ± z√(p̂(1−p̂)/n) it stays inside [0, 1] and is sensible for small n and p̂ near 0 or 1.
/// p̂ may be a fraction of non-integer successes (ties counted as half a win).
public struct WilsonInterval: Sendable, Equatable, Codable {
    public var lower: Double
    public var upper: Double

    /// z for a two-sided 95% interval.
    public static let z95 = 1.959963984540054

    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    /// The interval for proportion `p` over `n` trials (nil when n = 0).
    public init?(proportion p: Double, trials n: Int, z: Double = WilsonInterval.z95) {
        guard n > 0 else { return nil }
        let nd = Double(n)
        let z2 = z * z
        let denominator = 1 + z2 / nd
        let centre = (p + z2 / (2 * nd)) / denominator
        let half = z / denominator * (p * (1 - p) / nd + z2 / (4 * nd * nd)).squareRoot()
        lower = max(0, centre - half)
        upper = min(1, centre + half)
    }

    /// The interval for `successes` out of `n`.
    public init?(successes: Double, trials n: Int, z: Double = WilsonInterval.z95) {
        guard n > 0 else { return nil }
        self.init(proportion: successes / Double(n), trials: n, z: z)
    }
}
