import RealModule

/// SiLU and the SwiGLU product of Llama's MLP.
///
/// `silu(x) = x · σ(x)`, `silu'(x) = σ(x) · (1 + x · (1 − σ(x)))`;
/// `swiglu(g, u) = silu(g) · u` with `dg = dy · u · silu'(g)`, `du = dy · silu(g)`.
public enum ActivationKernel {
    @inlinable
    static func sigmoid<T: KernelScalar>(_ x: T) -> T { 1 / (1 + T.exp(-x)) }

    @inlinable
    public static func siluForward<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int) {
        parallelChunks(count, minChunk: 4096) { _, range in
            for i in range { y[i] = x[i] * sigmoid(x[i]) }
        }
    }

    @inlinable
    public static func siluBackward<T: KernelScalar>(dy: UnsafePointer<T>, x: UnsafePointer<T>, dx: UnsafeMutablePointer<T>, count: Int) {
        parallelChunks(count, minChunk: 4096) { _, range in
            for i in range {
                let s = sigmoid(x[i])
                dx[i] += dy[i] * s * (1 + x[i] * (1 - s))
            }
        }
    }

    @inlinable
    public static func swigluForward<T: KernelScalar>(gate: UnsafePointer<T>, up: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int) {
        parallelChunks(count, minChunk: 4096) { _, range in
            for i in range { y[i] = gate[i] * sigmoid(gate[i]) * up[i] }
        }
    }

    @inlinable
    public static func swigluBackward<T: KernelScalar>(dy: UnsafePointer<T>, gate: UnsafePointer<T>, up: UnsafePointer<T>,
                                                       dgate: UnsafeMutablePointer<T>?, dup: UnsafeMutablePointer<T>?, count: Int) {
        parallelChunks(count, minChunk: 4096) { _, range in
            for i in range {
                let g = gate[i], s = sigmoid(g)
                if let dgate { dgate[i] += dy[i] * up[i] * s * (1 + g * (1 - s)) }
                if let dup { dup[i] += dy[i] * g * s }
            }
        }
    }
}
