import RealModule

/// Causal scaled dot-product attention with grouped-query heads.
///
/// Shapes: `q [B, Tq, H, D]`, `k, v [B, Tk, K, D]` with `H = K · G` (query head `h` reads kv head
/// `h / G`), `out [B, Tq, H, D]`, probabilities `P [B, H, Tq, Tk]` kept for backward. Query `t` sits
/// at absolute position `offset + t` (`offset = Tk − Tq` when a KV cache holds earlier tokens) and
/// sees keys `s ≤ offset + t`.
///
/// `S = scale · Q Kᵀ` (masked), `P = softmax(S)`, `O = P V`, `scale = 1/√D`.
/// Backward: `dP = dO Vᵀ`, `dV += Pᵀ dO`, `dS = P ⊙ (dP − rowsum(dP ⊙ P))`,
/// `dQ += scale · dS K`, `dK += scale · dSᵀ Q`.
public enum AttentionKernel {
    public struct Shape: Sendable, Equatable {
        public var batch: Int, queryTokens: Int, keyTokens: Int, heads: Int, kvHeads: Int, headDim: Int
        public init(batch: Int, queryTokens: Int, keyTokens: Int, heads: Int, kvHeads: Int, headDim: Int) {
            precondition(kvHeads > 0 && heads % kvHeads == 0, "attention: \(heads) query heads are not a multiple of \(kvHeads) kv heads")
            precondition(keyTokens >= queryTokens, "attention: \(keyTokens) keys cannot serve \(queryTokens) queries causally")
            self.batch = batch; self.queryTokens = queryTokens; self.keyTokens = keyTokens
            self.heads = heads; self.kvHeads = kvHeads; self.headDim = headDim
        }
        public var group: Int { heads / kvHeads }
        public var offset: Int { keyTokens - queryTokens }
        public var probabilityCount: Int { batch * heads * queryTokens * keyTokens }
    }

    @inlinable
    public static func forward<T: KernelScalar>(q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,
                                                out: UnsafeMutablePointer<T>, probs: UnsafeMutablePointer<T>, shape s: Shape) {
        let tq = s.queryTokens, tk = s.keyTokens, h = s.heads, kh = s.kvHeads, d = s.headDim
        let scale = 1 / T(d).squareRoot()
        if tq <= decodeQueryLimit {
            decodeForward(q: q, k: k, v: v, out: out, probs: probs, shape: s)
            return
        }
        // Units run one after another: OpenBLAS called from several threads at once serialises on
        // its own thread server and ran 6× slower here; each GEMM uses BLAS's threads instead.
        for unit in 0..<(s.batch * h) {
            let b = unit / h, head = unit % h, kvHead = head / s.group
            let qp = q + (b * tq * h + head) * d
            let kp = k + (b * tk * kh + kvHead) * d
            let vp = v + (b * tk * kh + kvHead) * d
            let op = out + (b * tq * h + head) * d
            let pp = probs + (b * h + head) * tq * tk
            T.gemm(transA: false, transB: true, m: tq, n: tk, k: d, alpha: scale, a: qp, lda: h * d,
                   b: kp, ldb: kh * d, beta: 0, c: pp, ldc: tk)
            parallelFor(tq, minChunk: 32) { t in
                let row = pp + t * tk
                let visible = s.offset + t + 1
                SoftmaxKernel.rowSoftmax(row, row, count: visible)
                for j in visible..<tk { row[j] = 0 }
            }
            T.gemm(transA: false, transB: false, m: tq, n: d, k: tk, alpha: 1, a: pp, lda: tk,
                   b: vp, ldb: kh * d, beta: 0, c: op, ldc: h * d)
        }
    }

    /// Up to this many query rows (decoding with a KV cache), `forward` computes each row's scores
    /// with direct dot products, heads in parallel: two tiny BLAS calls per head and layer cost more
    /// in call overhead than the arithmetic.
    public static let decodeQueryLimit = 4

    /// `forward` for a few query rows: per (batch, head) unit and query row, `S_j = scale · q·k_j`
    /// for the visible keys, `P = softmax(S)`, `o = Σ_j P_j v_j`.
    @inlinable
    static func decodeForward<T: KernelScalar>(q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,
                                               out: UnsafeMutablePointer<T>, probs: UnsafeMutablePointer<T>, shape s: Shape) {
        let tq = s.queryTokens, tk = s.keyTokens, h = s.heads, kh = s.kvHeads, d = s.headDim
        let scale = 1 / T(d).squareRoot()
        let (qs, ks, vs, os, ps) = (UncheckedSendable(q), UncheckedSendable(k), UncheckedSendable(v), UncheckedSendable(out), UncheckedSendable(probs))
        parallelFor(s.batch * h, minChunk: 2) { unit in
            let b = unit / h, head = unit % h, kvHead = head / s.group
            for t in 0..<tq {
                let qp = qs.value + ((b * tq + t) * h + head) * d
                let op = os.value + ((b * tq + t) * h + head) * d
                let row = ps.value + ((b * h + head) * tq + t) * tk
                let visible = s.offset + t + 1
                for j in 0..<visible {
                    let kp = ks.value + ((b * tk + j) * kh + kvHead) * d
                    var dot: T = 0
                    for e in 0..<d { dot += qp[e] * kp[e] }
                    row[j] = dot * scale
                }
                SoftmaxKernel.rowSoftmax(row, row, count: visible)
                for j in visible..<tk { row[j] = 0 }
                for e in 0..<d { op[e] = 0 }
                for j in 0..<visible {
                    let p = row[j], vp = vs.value + ((b * tk + j) * kh + kvHead) * d
                    for e in 0..<d { op[e] += p * vp[e] }
                }
            }
        }
    }

    /// Accumulates `dq`, `dk`, `dv` from `dout`, one (batch, head) after another in a fixed order
    /// (query heads sharing a kv head accumulate into the same `dk`/`dv` rows).
    @inlinable
    public static func backward<T: KernelScalar>(dout: UnsafePointer<T>, q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,
                                                 probs: UnsafePointer<T>, dq: UnsafeMutablePointer<T>, dk: UnsafeMutablePointer<T>,
                                                 dv: UnsafeMutablePointer<T>, shape s: Shape) {
        let tq = s.queryTokens, tk = s.keyTokens, h = s.heads, kh = s.kvHeads, d = s.headDim
        let scale = 1 / T(d).squareRoot()
        for unit in 0..<(s.batch * kh) {
            let b = unit / kh, kvHead = unit % kh
            let kp = k + (b * tk * kh + kvHead) * d, vp = v + (b * tk * kh + kvHead) * d
            let dkp = dk + (b * tk * kh + kvHead) * d, dvp = dv + (b * tk * kh + kvHead) * d
            let dp = UnsafeMutablePointer<T>.allocate(capacity: tq * tk)
            defer { dp.deallocate() }
            for head in (kvHead * s.group)..<((kvHead + 1) * s.group) {
                let qp = q + (b * tq * h + head) * d, dqp = dq + (b * tq * h + head) * d
                let gp = dout + (b * tq * h + head) * d
                let pp = probs + (b * h + head) * tq * tk
                // dP[Tq,Tk] = dO · Vᵀ ; dV[Tk,D] += Pᵀ · dO
                T.gemm(transA: false, transB: true, m: tq, n: tk, k: d, alpha: 1, a: gp, lda: h * d, b: vp, ldb: kh * d, beta: 0, c: dp, ldc: tk)
                T.gemm(transA: true, transB: false, m: tk, n: d, k: tq, alpha: 1, a: pp, lda: tk, b: gp, ldb: h * d, beta: 1, c: dvp, ldc: kh * d)
                parallelFor(tq, minChunk: 32) { t in
                    let pr = pp + t * tk, dr = dp + t * tk
                    var dot: T = 0
                    for j in 0..<tk { dot += pr[j] * dr[j] }
                    for j in 0..<tk { dr[j] = pr[j] * (dr[j] - dot) }
                }
                // dQ += scale · dS · K ; dK += scale · dSᵀ · Q
                T.gemm(transA: false, transB: false, m: tq, n: d, k: tk, alpha: scale, a: dp, lda: tk, b: kp, ldb: kh * d, beta: 1, c: dqp, ldc: h * d)
                T.gemm(transA: true, transB: false, m: tk, n: d, k: tq, alpha: scale, a: dp, lda: tk, b: qp, ldb: h * d, beta: 1, c: dkp, ldc: kh * d)
            }
        }
    }
}
