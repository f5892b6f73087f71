/// The normal-approximation 95% interval of a mean score:
///
///     mean ± z · s/√n,   s² = Σ (xᵢ − mean)² / (n − 1),   z = 1.959964
///
/// For rubric means (1–5 scores) over tens of ratings; undefined (nil) below two scores. With
/// few scores it is narrower than a t interval would be; the review's warnings say so below 100.
public struct MeanInterval: Sendable, Equatable, Codable {
    public var mean: Double
    public var lower: Double
    public var upper: Double

    public init?(scores: [Double], z: Double = WilsonInterval.z95) {
        guard scores.count >= 2 else { return nil }
        let n = Double(scores.count)
        let average = scores.reduce(0, +) / n
        let variance = scores.map { ($0 - average) * ($0 - average) }.reduce(0, +) / (n - 1)
        let half = z * (variance / n).squareRoot()
        mean = average
        lower = average - half
        upper = average + half
    }
}
