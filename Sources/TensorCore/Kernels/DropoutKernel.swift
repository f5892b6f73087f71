/// Inverted dropout: `y = x · mask / (1 − p)` with `mask[i] ~ Bernoulli(1 − p)` drawn from a seeded
/// generator (serially, so the mask depends only on the seed). Backward: `dx += dy · mask / (1 − p)`.
public enum DropoutKernel {
    /// Draws the keep-mask (1 keep, 0 drop) for `count` elements.
    public static func mask(count: Int, p: Float, rng: inout RandomGenerator) -> [UInt8] {
        precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1), got \(p)")
        var m = [UInt8](repeating: 1, count: count)
        if p == 0 { return m }
        for i in 0..<count where rng.nextFloat() < p { m[i] = 0 }
        return m
    }

    @inlinable
    public static func forward<T: KernelScalar>(_ x: UnsafePointer<T>, mask: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<T>, count: Int, p: T) {
        let s = 1 / (1 - p)
        for i in 0..<count { y[i] = mask[i] == 0 ? 0 : x[i] * s }
    }

    @inlinable
    public static func backward<T: KernelScalar>(dy: UnsafePointer<T>, mask: UnsafePointer<UInt8>, dx: UnsafeMutablePointer<T>, count: Int, p: T) {
        let s = 1 / (1 - p)
        for i in 0..<count where mask[i] != 0 { dx[i] += dy[i] * s }
    }
}
