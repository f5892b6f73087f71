import CKernels
import RealModule

/// SiLU and the SwiGLU product of Llama's MLP.
///
/// `silu(x) = x · σ(x)`, `silu'(x) = σ(x) · (1 + x · (1 − σ(x)))`;
/// `swiglu(g, u) = silu(g) · u` with `dg = dy · u · silu'(g)`, `du = dy · silu(g)`.
/// Float SwiGLU runs vectorised in CKernels (activation.c): `σ(g) = 1/(1 + exp(−g))` with
/// CKernels' exponential (exp_kernel.h) and the arithmetic in the order of the loops below, the
/// same bits on every path and CPU. The generic loops (libm's `exp`) serve `Double`, for gradient checks.
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
        if T.self == Float.self {
            let pointers = UncheckedSendable((UnsafeRawPointer(gate).assumingMemoryBound(to: Float.self),
                                              UnsafeRawPointer(up).assumingMemoryBound(to: Float.self),
                                              UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self)))
            parallelChunks(count, minChunk: 4096) { _, range in
                let (g, u, y) = pointers.value
                let i = range.lowerBound
                attune_swiglu_forward(g + i, u + i, y + i, range.count)
            }
            return
        }
        parallelChunks(count, minChunk: 4096) { _, range in
            for i in range { y[i] = gate[i] * sigmoid(gate[i]) * up[i] }
        }
    }

    @inlinable
    public static func swigluBackward<T: KernelScalar>(dy: UnsafePointer<T>, gate: UnsafePointer<T>, up: UnsafePointer<T>,
                                                       dgate: UnsafeMutablePointer<T>?, dup: UnsafeMutablePointer<T>?, count: Int) {
        if T.self == Float.self {
            func float(_ p: UnsafeMutablePointer<T>?) -> UnsafeMutablePointer<Float>? {
                p.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Float.self) }
            }
            let pointers = UncheckedSendable((UnsafeRawPointer(dy).assumingMemoryBound(to: Float.self),
                                              UnsafeRawPointer(gate).assumingMemoryBound(to: Float.self),
                                              UnsafeRawPointer(up).assumingMemoryBound(to: Float.self), float(dgate), float(dup)))
            parallelChunks(count, minChunk: 4096) { _, range in
                let (dy, g, u, dg, du) = pointers.value
                let i = range.lowerBound
                attune_swiglu_backward(dy + i, g + i, u + i, dg.map { $0 + i }, du.map { $0 + i }, range.count)
            }
            return
        }
        parallelChunks(count, minChunk: 4096) { _, range in
            for i in range {
                let g = gate[i], s = sigmoid(g)
                if let dgate { dgate[i] += dy[i] * up[i] * s * (1 + g * (1 - s)) }
                if let dup { dup[i] += dy[i] * g * s }
            }
        }
    }
}
