/// Where a value falls among reference values: the share of them strictly below it.
///
///     F(v) = #{ c_i < v } / n
///
/// A value equal to the largest reference value gets (n − ties)/n < 1; only a value beyond every
/// reference value gets 1. So a reference set whose values are all equal gives them 0 and any
/// larger value 1 — a measure that never varies on the calibration data still flags what
/// exceeds it.
public struct EmpiricalPercentile: Sendable, Equatable {
    /// The reference values, ascending (NaN left out).
    public let sorted: [Double]

    public init(_ values: [Double]) { sorted = values.filter { !$0.isNaN }.sorted() }

    /// F(v) (0 for an empty reference; 1 for NaN, which no reference value can be compared with).
    public func share(below value: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        guard !value.isNaN else { return 1 }
        var low = 0, high = sorted.count   // first index whose value is ≥ `value`
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return Double(low) / Double(sorted.count)
    }
}
