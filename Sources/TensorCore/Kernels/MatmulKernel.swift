import CKernels
/// Matrix product and its gradient, row-major, through BLAS.
///
/// Forward: `C[M,N] = op(A) · op(B)` where `op(A)` is `A[M,K]` or `Aᵀ` of `A[K,M]`, and likewise `B`.
/// Backward (accumulating): for `C = A·B`, `dA += dC·Bᵀ`, `dB += Aᵀ·dC`; the transposed forms follow
/// by transposing both sides.
///
/// `frozenB` says `B` is a frozen weight: its products (forward, and `dA`'s in backward) then go
/// through `frozenWeightGEMM`, which `bf16` numerics runs in bfloat16 (`BF16Products`).
public enum MatmulKernel {
    /// `c[M,N] = op(a) · op(b)` (`beta = 1` accumulates into `c`).
    @inlinable
    public static func forward<T: KernelScalar>(
        _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>,
        m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false, beta: T = 0, frozenB: Bool = false
    ) {
        if frozenB {
            T.frozenWeightGEMM(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
                               a: a, lda: transA ? m : k, b: b, ldb: transB ? k : n, beta: beta, c: c, ldc: n)
            return
        }
        T.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
               a: a, lda: transA ? m : k, b: b, ldb: transB ? k : n, beta: beta, c: c, ldc: n)
    }

    /// Whether `addLinearForward` adds the product in the GEMM's accumulating store: in
    /// `reproducible` and `bf16` numerics while `k ≤ ATTUNE_GEMM_KC` (one K block, so `c + Σ` is
    /// rounded once, as an add after the product would round it), and always in `fast` numerics.
    public static func fusesAddLinear(k: Int) -> Bool {
        k <= Int(ATTUNE_GEMM_KC) || !Numerics.mode.isReproducible
    }

    /// `c[M,N] += a[M,K] · b[N,K]ᵀ` with `Tape.addLinear`'s bits: fused where `fusesAddLinear`,
    /// otherwise the product into a scratch and then `ElementwiseKernel.addForward` (as
    /// `add(y, linear(x, w))`). For steps that run the tape's kernels without the tape.
    public static func addLinearForward(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                                        m: Int, n: Int, k: Int, frozenB: Bool) {
        if fusesAddLinear(k: k) {
            forward(a, b, c, m: m, n: n, k: k, transB: true, beta: 1, frozenB: frozenB)
            return
        }
        let product = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer { product.deallocate() }
        forward(a, b, product, m: m, n: n, k: k, transB: true, frozenB: frozenB)
        ElementwiseKernel.addForward(c, product, c, count: m * n, bCount: m * n)
    }

    /// Accumulates `dA` and/or `dB` from `dC[M,N]` for the forward with the same flags.
    @inlinable
    public static func backward<T: KernelScalar>(
        dC: UnsafePointer<T>, a: UnsafePointer<T>, b: UnsafePointer<T>,
        dA: UnsafeMutablePointer<T>?, dB: UnsafeMutablePointer<T>?,
        m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false, frozenB: Bool = false
    ) {
        if let dA {
            // dA's product multiplies B: a frozen weight's product when frozenB.
            let gemm = frozenB ? T.frozenWeightGEMM : T.gemm
            switch (transA, transB) {
            case (false, false):  // dA[M,K] += dC[M,N] · B[K,N]ᵀ
                gemm(false, true, m, k, n, 1, dC, n, b, n, 1, dA, k)
            case (false, true):   // dA[M,K] += dC[M,N] · B[N,K]
                gemm(false, false, m, k, n, 1, dC, n, b, k, 1, dA, k)
            case (true, false):   // dA[K,M] += B[K,N] · dC[M,N]ᵀ
                gemm(false, true, k, m, n, 1, b, n, dC, n, 1, dA, m)
            case (true, true):    // dA[K,M] += B[N,K]ᵀ · dC[M,N]ᵀ
                gemm(true, true, k, m, n, 1, b, k, dC, n, 1, dA, m)
            }
        }
        if let dB {
            switch (transA, transB) {
            case (false, false):  // dB[K,N] += A[M,K]ᵀ · dC[M,N]
                T.gemm(transA: true, transB: false, m: k, n: n, k: m, alpha: 1, a: a, lda: k, b: dC, ldb: n, beta: 1, c: dB, ldc: n)
            case (false, true):   // dB[N,K] += dC[M,N]ᵀ · A[M,K]
                T.gemm(transA: true, transB: false, m: n, n: k, k: m, alpha: 1, a: dC, lda: n, b: a, ldb: k, beta: 1, c: dB, ldc: k)
            case (true, false):   // dB[K,N] += A[K,M] · dC[M,N]
                T.gemm(transA: false, transB: false, m: k, n: n, k: m, alpha: 1, a: a, lda: m, b: dC, ldb: n, beta: 1, c: dB, ldc: n)
            case (true, true):    // dB[N,K] += dC[M,N]ᵀ · A[K,M]ᵀ
                T.gemm(transA: true, transB: true, m: n, n: k, k: m, alpha: 1, a: dC, lda: n, b: a, ldb: m, beta: 1, c: dB, ldc: k)
            }
        }
    }
}
