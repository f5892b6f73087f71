import CKernels
import CBLAS
import RealModule

/// The element types kernels are written for: `Float` in the engine, `Double` for the
/// finite-difference gradient checks (every kernel has a Float64 instantiation, so gradients are
/// checked without float32 rounding noise).
public protocol KernelScalar: Real & BinaryFloatingPoint & Sendable {
    /// Row-major GEMM: `C[m,n] = alpha · op(A)[m,k] · op(B)[k,n] + beta · C`. `Float` takes
    /// Attune's reproducible GEMM or OpenBLAS as `Numerics.mode` says; `Double` (gradient checks
    /// only) always OpenBLAS.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                     alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// The same product where one operand is a frozen weight (`BF16Products`): `Float` in `bf16`
    /// numerics rounds both operands to bfloat16 (`attune_gemm_bf16`); otherwise exactly `gemm`.
    static func frozenWeightGEMM(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                 alpha: Self, a: UnsafePointer<Self>, lda: Int,
                                 b: UnsafePointer<Self>, ldb: Int,
                                 beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// Attention's products (`q·kᵀ`, `p·v` and their backward, `AttentionKernel`): `Float` in
    /// `bf16` numerics runs them in bfloat16 as PyTorch's autocast runs scaled dot-product
    /// attention (`BF16Products`); otherwise exactly `gemm`.
    static func attentionGEMM(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                              alpha: Self, a: UnsafePointer<Self>, lda: Int,
                              b: UnsafePointer<Self>, ldb: Int,
                              beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// Whether these GEMMs may run on several threads at once, each giving the bits it gives
    /// alone: `Float` in Attune's own GEMM (`reproducible`, `bf16`), whose sums depend neither on
    /// the thread nor on the thread count; not OpenBLAS, whose concurrent callers serialise.
    static var gemmRunsConcurrently: Bool { get }
}

extension KernelScalar {
    @inlinable
    public static var gemmRunsConcurrently: Bool { false }

    @inlinable
    public static func attentionGEMM(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                     alpha: Self, a: UnsafePointer<Self>, lda: Int,
                                     b: UnsafePointer<Self>, ldb: Int,
                                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int) {
        gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    @inlinable
    public static func frozenWeightGEMM(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                        alpha: Self, a: UnsafePointer<Self>, lda: Int,
                                        b: UnsafePointer<Self>, ldb: Int,
                                        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int) {
        gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

extension Float: KernelScalar {
    @inlinable
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            // BLAS treats k == 0 as C = beta·C, and beta == 0 as "C is not read" (it may be uninitialised).
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : c[i * ldc + j] * beta } }
            return
        }
        if Numerics.mode.isReproducible {
            attune_sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, Parallelism.workers)
            return
        }
        // OpenBLAS threads big products over both cores: the pool's idle workers must not spin then.
        if m * n * k >= 1 << 18 { attune_pool_park() }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}

extension Float {
    @inlinable
    public static var gemmRunsConcurrently: Bool { Numerics.mode.isReproducible }

    @inlinable
    public static func frozenWeightGEMM(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                        alpha: Float, a: UnsafePointer<Float>, lda: Int,
                                        b: UnsafePointer<Float>, ldb: Int,
                                        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard Numerics.mode == .bf16 else {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        attune_gemm_bf16(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, Parallelism.workers)
    }

    @inlinable
    public static func attentionGEMM(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                     alpha: Float, a: UnsafePointer<Float>, lda: Int,
                                     b: UnsafePointer<Float>, ldb: Int,
                                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        frozenWeightGEMM(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

extension Double: KernelScalar {
    @inlinable
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            alpha: Double, a: UnsafePointer<Double>, lda: Int,
                            b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            // As for Float: beta == 0 does not read C.
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : c[i * ldc + j] * beta } }
            return
        }
        if m * n * k >= 1 << 18 { attune_pool_park() }
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}
