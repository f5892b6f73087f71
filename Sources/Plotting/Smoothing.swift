import Foundation

/// Exponential moving average as TensorBoard draws it: `s_t = w·s_{t−1} + (1−w)·v_t`, started
/// at zero and divided by `1 − w^n` (n = values seen so far) so the first points are not pulled
/// towards zero. Missing values stay missing and do not advance the average.
public enum Smoothing {
    /// The smoothed values; `weight` in `0..<1` (0 returns the input, 0.6 is TensorBoard's
    /// default). Weights outside are clamped to `0…0.999` (NaN counts as 0), so a mistyped
    /// value cannot stop the program.
    public static func ema(_ values: [Double?], weight: Double) -> [Double?] {
        let weight = weight.isNaN ? 0 : min(max(weight, 0), 0.999)
        guard weight > 0 else { return values }
        var last = 0.0
        var seen = 0
        return values.map { value in
            guard let v = value, v.isFinite else { return nil }
            last = last * weight + (1 - weight) * v
            seen += 1
            let debias = 1 - pow(weight, Double(seen))
            return last / debias
        }
    }

    /// The series with its y values smoothed (markers kept).
    public static func ema(_ series: Series, weight: Double) -> Series {
        let ys = ema(series.points.map(\.y), weight: weight)
        return Series(name: series.name,
                      points: zip(series.points, ys).map { Series.Point(x: $0.x, y: $1) },
                      markers: series.markers)
    }
}
