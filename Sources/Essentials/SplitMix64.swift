/// SplitMix64 (Steele, Lea and Flood 2014): a small seeded generator whose sequence is fixed for a
/// given seed on every platform and Swift version. Splits, batch orders and blind assignments
/// recorded in notebooks rely on that, so this is the one SplitMix64 in Attune.
///
///     state += 0x9E3779B97F4A7C15
///     z = (state ^ (state >> 30)) · 0xBF58476D1CE4E5B9
///     z = (z ^ (z >> 27)) · 0x94D049BB133111EB
///     return z ^ (z >> 31)
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// SplitMix64's output function (the finaliser): a fast bijective mix of 64 bits. `mix(x)` is
    /// the generator's output when its state has just become `x`.
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The first output of `SplitMix64(seed: value)`: a stable bijective scramble of 64 bits, for
    /// hashes that combine values (MinHash, cell ids).
    @inline(__always)
    public static func scramble(_ value: UInt64) -> UInt64 {
        mix(value &+ 0x9E37_79B9_7F4A_7C15)
    }

    /// A uniform double in [0, 1) from the top 53 bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A value in `0..<bound` without modulo bias (Lemire's method).
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive, got \(bound)")
        let bound64 = UInt64(bound)
        var product = next().multipliedFullWidth(by: bound64)
        if product.low < bound64 {
            let threshold = (0 &- bound64) % bound64
            while product.low < threshold { product = next().multipliedFullWidth(by: bound64) }
        }
        return Int(product.high)
    }

    /// Fisher–Yates shuffle written out here (the standard library's algorithm may change).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = next(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }
}
