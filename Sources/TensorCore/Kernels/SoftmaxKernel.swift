import CKernels
import RealModule

/// Softmax over the last dimension of `[N, C]`: `y = exp(x − max) / Σ exp(x − max)`.
/// Backward: `dx += y ⊙ (dy − Σ_c dy·y)`.
public enum SoftmaxKernel {
    @inlinable
    public static func forward<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, rows: Int, cols c: Int) {
        parallelFor(rows, minChunk: 8) { n in
            rowSoftmax(x + n * c, y + n * c, count: c)
        }
    }

    /// Softmax of one row (`count` entries), numerically stable. Float rows use the vectorised
    /// exponential of `CKernels`.
    @inlinable
    public static func rowSoftmax<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count c: Int) {
        if T.self == Float.self {
            let xf = UnsafeRawPointer(x).assumingMemoryBound(to: Float.self)
            let yf = UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self)
            attune_softmax(xf, yf, c)
            return
        }
        var m = -T.infinity
        for j in 0..<c where x[j] > m { m = x[j] }
        var sum: T = 0
        for j in 0..<c { let e = T.exp(x[j] - m); y[j] = e; sum += e }
        let inv = 1 / sum
        for j in 0..<c { y[j] *= inv }
    }

    @inlinable
    public static func backward<T: KernelScalar>(dy: UnsafePointer<T>, y: UnsafePointer<T>, dx: UnsafeMutablePointer<T>, rows: Int, cols c: Int) {
        parallelFor(rows, minChunk: 8) { n in
            let yr = y + n * c, gr = dy + n * c, dr = dx + n * c
            var dot: T = 0
            for j in 0..<c { dot += gr[j] * yr[j] }
            for j in 0..<c { dr[j] += yr[j] * (gr[j] - dot) }
        }
    }
}
