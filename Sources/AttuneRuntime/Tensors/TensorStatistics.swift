/// Summary statistics of some float values, computed in double precision in index order (so the
/// same values give the same digits every run). Non-finite values are counted and left out.
public struct TensorStatistics: Sendable, Equatable {
    public var count: Int
    public var nonFinite: Int
    public var mean: Double
    /// Population standard deviation.
    public var std: Double
    public var min: Double
    public var max: Double
    /// Euclidean (L2) norm.
    public var norm: Double

    public init<C: Collection>(_ values: C) where C.Element == Float {
        var n = 0, bad = 0
        var sum = 0.0, sumSquares = 0.0
        var low = Double.infinity, high = -Double.infinity
        for value in values {
            guard value.isFinite else { bad += 1; continue }
            let v = Double(value)
            n += 1
            sum += v
            sumSquares += v * v
            low = Swift.min(low, v)
            high = Swift.max(high, v)
        }
        count = values.count
        nonFinite = bad
        mean = n > 0 ? sum / Double(n) : .nan
        let variance = n > 0 ? Swift.max(0, sumSquares / Double(n) - mean * mean) : .nan
        std = variance.squareRoot()
        min = n > 0 ? low : .nan
        max = n > 0 ? high : .nan
        norm = sumSquares.squareRoot()
    }

    /// `mean 0.0003  std 0.02  min -0.079  max 0.081  norm 1.28  non-finite 0`.
    public var line: String {
        "mean \(NumberText.stat(mean))  std \(NumberText.stat(std))  min \(NumberText.stat(min))  max \(NumberText.stat(max))"
            + "  norm \(NumberText.stat(norm))  non-finite \(nonFinite)"
    }
}

extension TensorStatistics {
    /// The same statistics gathered in pieces (rows of a quantized weight dequantized a chunk at
    /// a time), in index order, with the same formulas as `init(_:)`.
    struct Accumulator {
        private var n = 0, bad = 0, total = 0
        private var sum = 0.0, sumSquares = 0.0
        private var low = Double.infinity, high = -Double.infinity

        mutating func add(_ values: [Float]) {
            total += values.count
            for value in values {
                guard value.isFinite else { bad += 1; continue }
                let v = Double(value)
                n += 1
                sum += v
                sumSquares += v * v
                low = Swift.min(low, v)
                high = Swift.max(high, v)
            }
        }

        var statistics: TensorStatistics {
            var result = TensorStatistics([Float]())
            result.count = total
            result.nonFinite = bad
            result.mean = n > 0 ? sum / Double(n) : .nan
            let variance = n > 0 ? Swift.max(0, sumSquares / Double(n) - result.mean * result.mean) : .nan
            result.std = variance.squareRoot()
            result.min = n > 0 ? low : .nan
            result.max = n > 0 ? high : .nan
            result.norm = sumSquares.squareRoot()
            return result
        }
    }
}
