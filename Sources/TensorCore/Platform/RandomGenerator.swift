import Foundation
import Essentials
/// A seeded pseudo-random generator (xoshiro256**, state seeded with SplitMix64).
///
/// Attune keeps one generator per purpose (initialisation, dropout, data order, sampling) so that
/// the same seed and inputs give the same numbers on the same machine, whatever else runs.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Seeds the four state words from `seed` with SplitMix64 (never all zero).
    public init(seed: UInt64) {
        var splitMix = SplitMix64(seed: seed)
        s0 = splitMix.next(); s1 = splitMix.next(); s2 = splitMix.next(); s3 = splitMix.next()
    }

    /// A generator for a named purpose derived from a session seed ("init", "dropout", …), so that
    /// adding draws for one purpose never shifts another's stream.
    public init(seed: UInt64, purpose: String) {
        self.init(seed: seed ^ FNV1a.hash(purpose))
    }

    /// The four state words, for checkpoints: `RandomGenerator(state:)` resumes the stream exactly.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// Resumes a generator from `state` (four words, not all zero).
    public init(state: [UInt64]) throws {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else {
            throw TensorError.invalidArgument("a generator state is four words, not all zero (got \(state))")
        }
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * nextFloat() }

    /// Standard normal sample (Box–Muller, one value per call).
    public mutating func normal() -> Double {
        var u1 = nextDouble()
        while u1 <= Double.leastNormalMagnitude { u1 = nextDouble() }
        let u2 = nextDouble()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// Uniform integer in 0..<upperBound (unbiased).
    public mutating func nextInt(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "nextInt(below:) needs a positive bound, got \(upperBound)")
        return Int(next(upperBound: UInt64(upperBound)))
    }
}

@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }
