/// RMSNorm over the last dimension, as Llama uses it:
/// `r[n] = 1/√(mean_c x[n,c]² + ε)`, `y[n,c] = x[n,c] · r[n] · w[c]` for `x, y [N, C]`, `w [C]`.
///
/// Backward with `g = dy ⊙ w`: `dx[n,c] += r·g[c] − r³·x[n,c]·mean_c(g·x)`, `dw[c] += Σ_n dy·x·r`.
public enum RMSNormKernel {
    /// Writes `y` and the per-row reciprocal RMS `rstd [N]` kept for backward.
    @inlinable
    public static func forward<T: KernelScalar>(x: UnsafePointer<T>, weight: UnsafePointer<T>, y: UnsafeMutablePointer<T>,
                                                rstd: UnsafeMutablePointer<T>, rows: Int, cols c: Int, eps: T) {
        parallelFor(rows, minChunk: 16) { n in
            let xr = x + n * c, yr = y + n * c
            var sum: T = 0
            for j in 0..<c { sum += xr[j] * xr[j] }
            let r = 1 / (sum / T(c) + eps).squareRoot()
            rstd[n] = r
            for j in 0..<c { yr[j] = xr[j] * r * weight[j] }
        }
    }

    @inlinable
    public static func backward<T: KernelScalar>(dy: UnsafePointer<T>, x: UnsafePointer<T>, weight: UnsafePointer<T>, rstd: UnsafePointer<T>,
                                                 dx: UnsafeMutablePointer<T>?, dweight: UnsafeMutablePointer<T>?, rows: Int, cols c: Int) {
        if let dx {
            parallelFor(rows, minChunk: 16) { n in
                let xr = x + n * c, gr = dy + n * c, dxr = dx + n * c
                let r = rstd[n]
                var dot: T = 0
                for j in 0..<c { dot += gr[j] * weight[j] * xr[j] }
                let k = r * r * r * dot / T(c)
                for j in 0..<c { dxr[j] += r * gr[j] * weight[j] - k * xr[j] }
            }
        }
        if let dweight {
            // One partial per chunk of 64 rows, summed in chunk order: the same bits at any core count.
            let chunks = Parallelism.fixedChunkCount(rows, chunkSize: 64)
            let partial = UnsafeMutablePointer<T>.allocate(capacity: chunks * c)
            partial.initialize(repeating: 0, count: chunks * c)
            defer { partial.deallocate() }
            parallelFixedChunks(rows, chunkSize: 64) { chunk, range in
                let p = partial + chunk * c
                for n in range {
                    let xr = x + n * c, gr = dy + n * c, r = rstd[n]
                    for j in 0..<c { p[j] += gr[j] * xr[j] * r }
                }
            }
            for chunk in 0..<chunks { for j in 0..<c { dweight[j] += partial[chunk * c + j] } }
        }
    }
}
