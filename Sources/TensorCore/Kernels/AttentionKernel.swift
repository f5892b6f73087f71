import CKernels
import Essentials
import RealModule

/// Causal scaled dot-product attention with grouped-query heads.
///
/// Shapes: `q [B, Tq, H, D]`, `k, v [B, Tk, K, D]` with `H = K · G` (query head `h` reads kv head
/// `h / G`), `out [B, Tq, H, D]`. Query `t` sits at absolute position `offset + t` (`offset = Tk − Tq`
/// when a KV cache holds earlier tokens) and sees keys `s ≤ offset + t`.
///
/// `S = scale · Q Kᵀ` (masked), `P = softmax(S)`, `O = P V`, `scale = 1/√D`.
/// Backward: `dP = dO Vᵀ`, `dV += Pᵀ dO`, `dS = P ⊙ (dP − rowsum(dP ⊙ P))`,
/// `dQ += scale · dS K`, `dK += scale · dSᵀ Q`.
///
/// Memory: no more than one head's `Tq × Tk` probabilities exist at a time. Forward keeps none;
/// backward recomputes each head's `P` from `q` and `k` with the same arithmetic as forward, so the
/// gradients are those of the stored-probabilities formulation bit for bit, for one extra
/// `Q Kᵀ` product and softmax per head (training at `B × T = 4 × 256` kept 283 MB of probabilities
/// for SmolLM2's 30 layers; at `T = 2048` it would have been 18 GB).
///
/// Products: `T.attentionGEMM`, bfloat16 in `bf16` numerics (as PyTorch's autocast runs it),
/// the reproducible fp32 GEMM otherwise.
///
/// Work: past one block of `causalBlockRows` queries the products skip the masked upper triangle
/// block by block (`causalBlocks`), with the bits of the full products: at `T = 2048` the
/// attention's products cost 56% of the full squares.
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
        /// Entries of one head's probabilities, `Tq × Tk`.
        public var headProbabilityCount: Int { queryTokens * keyTokens }
    }

    @inlinable
    public static func forward<T: KernelScalar>(q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,
                                                out: UnsafeMutablePointer<T>, shape s: Shape) {
        forEachUnit(s.batch * s.heads, scratch: s.headProbabilityCount, T.self) { unit, pp in
            forwardUnit(q: q, k: k, v: v, out: out, shape: s, unit: unit, probabilities: pp)
        }
    }

    /// One `(batch, head)` of forward: the head's probabilities into `pp` (`Tq × Tk`), then
    /// `O = P V` into the head's columns of `out`.
    @inlinable
    static func forwardUnit<T: KernelScalar>(q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,
                                             out: UnsafeMutablePointer<T>, shape s: Shape, unit: Int,
                                             probabilities pp: UnsafeMutablePointer<T>) {
        let tq = s.queryTokens, tk = s.keyTokens, h = s.heads, kh = s.kvHeads, d = s.headDim
        let b = unit / h, head = unit % h, kvHead = head / s.group
        headProbabilities(q: q, k: k, batch: b, head: head, into: pp, shape: s)
        for block in causalBlocks(s) {  // O = P V, each row block over the keys it can see
            T.attentionGEMM(transA: false, transB: false, m: block.rows.count, n: d, k: block.keys, alpha: 1, a: pp + block.rows.lowerBound * tk, lda: tk,
                   b: v + (b * tk * kh + kvHead) * d, ldb: kh * d, beta: 0,
                   c: out + ((b * tq + block.rows.lowerBound) * h + head) * d, ldc: h * d)
        }
    }

    /// Runs `body(unit, scratch)` for every unit in `0..<units` — attention's `(batch, head)` or
    /// `(batch, kv head)` work items, which write disjoint parts of their outputs — with `scratch`
    /// a buffer of `scratchCount` elements that the unit may overwrite.
    ///
    /// Where `T.gemmRunsConcurrently` (Attune's own GEMM, whose bits depend neither on the thread
    /// that runs it nor on how many threads there are) and the units split well over the threads
    /// (`UnitThreads`: evenly, or at least 8 per thread), units run on all the pool's threads at
    /// once, each thread claiming the next unit and keeping one scratch: no thread waits at the
    /// end of every small per-head product. Otherwise (OpenBLAS in `fast` numerics serialises
    /// concurrent callers on its own thread server: measured 6× slower) units run one after
    /// another, each product threaded inside. Either way each unit computes the same bits.
    @inlinable
    static func forEachUnit<T: KernelScalar>(_ units: Int, scratch scratchCount: Int, _: T.Type,
                                             _ body: (Int, UnsafeMutablePointer<T>) -> Void) {
        let threads = T.gemmRunsConcurrently ? UnitThreads.count(units: units, workers: Parallelism.workers) : 1
        let bytes = scratchCount * MemoryLayout<T>.stride
        if threads <= 1 {
            let scratch = UnsafeMutablePointer<T>.allocate(capacity: max(scratchCount, 1))
            TensorMemory.allocated(bytes)
            defer { scratch.deallocate(); TensorMemory.freed(bytes) }
            for unit in 0..<units { body(unit, scratch) }
            return
        }
        let counter = UnitCounter()
        parallelChunks(threads, minChunk: 1) { _, _ in
            var scratch: UnsafeMutablePointer<T>?
            defer { if let scratch { scratch.deallocate(); TensorMemory.freed(bytes) } }
            while true {
                let unit = counter.claim()
                guard unit < units else { break }
                if scratch == nil {
                    scratch = UnsafeMutablePointer<T>.allocate(capacity: max(scratchCount, 1))
                    TensorMemory.allocated(bytes)
                }
                body(unit, scratch!)
            }
        }
    }

    /// Query rows per block of the causal skipping (`causalBlocks`): `ATTUNE_GEMM_KC`, so a product
    /// that starts its sum at a block boundary starts it at a boundary of the GEMM's fixed K blocks.
    public static let causalBlockRows = Int(ATTUNE_GEMM_KC)

    /// The query rows cut into blocks of `causalBlockRows`, each with the number of keys its last
    /// row sees (`offset + end`): the products skip the masked upper triangle block by block.
    /// Every skipped product is an exact zero (a masked probability, or its gradient), and the
    /// sums skip only trailing zeros or whole leading K blocks of zeros, so each result has the
    /// bits of the full product. One block when `Tq ≤ causalBlockRows` or with a KV cache offset.
    @inlinable
    static func causalBlocks(_ s: Shape) -> [(rows: Range<Int>, keys: Int)] {
        let tq = s.queryTokens
        guard s.offset == 0, tq > causalBlockRows else { return [(0..<tq, s.keyTokens)] }
        return stride(from: 0, to: tq, by: causalBlockRows).map { start in
            let end = min(start + causalBlockRows, tq)
            return (start..<end, end)
        }
    }

    /// Forward over packed rows (`PackedSequences`): each segment attends as a sequence of its own,
    /// `forward` on its `L` rows of `q, k, v` with `Tq = Tk = L` (the block-diagonal causal mask, at
    /// `Σ L²` instead of `T²` per row), so its output has the bits of the same tokens in a row of
    /// their own. Padding rows of `out` are left as they are (zeros from the caller). Every
    /// segment's heads are units of one `forEachUnit`, longest segments first.
    @inlinable
    public static func forward<T: KernelScalar>(q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,
                                                out: UnsafeMutablePointer<T>, shape s: Shape, packing: PackedSequences) {
        checkPacking(packing, shape: s)
        let segments = packing.segments.sorted { $0.count > $1.count }
        let scratch = segments.map { $0.count * $0.count }.max() ?? 0
        forEachUnit(segments.count * s.heads, scratch: scratch, T.self) { item, pp in
            let segment = segments[item / s.heads]
            let (qo, ko) = segmentOffsets(segment, shape: s)
            forwardUnit(q: q + qo, k: k + ko, v: v + ko, out: out + qo, shape: segmentShape(segment, shape: s),
                        unit: item % s.heads, probabilities: pp)
        }
    }

    /// Backward of the packed forward: `backward`'s `(kv head)` units of every segment in one
    /// `forEachUnit`; segments touch disjoint rows of `dq`, `dk`, `dv`.
    @inlinable
    public static func backward<T: KernelScalar>(dout: UnsafePointer<T>, q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,
                                                 dq: UnsafeMutablePointer<T>, dk: UnsafeMutablePointer<T>,
                                                 dv: UnsafeMutablePointer<T>, shape s: Shape, packing: PackedSequences) {
        checkPacking(packing, shape: s)
        let segments = packing.segments.sorted { $0.count > $1.count }
        let scratch = 2 * (segments.map { $0.count * $0.count }.max() ?? 0)
        forEachUnit(segments.count * s.kvHeads, scratch: scratch, T.self) { item, buffer in
            let segment = segments[item / s.kvHeads]
            let (qo, ko) = segmentOffsets(segment, shape: s)
            let shape = segmentShape(segment, shape: s)
            backwardUnit(dout: dout + qo, q: q + qo, k: k + ko, v: v + ko, dq: dq + qo, dk: dk + ko, dv: dv + ko,
                         shape: shape, unit: item % s.kvHeads, probabilities: buffer, gradient: buffer + shape.headProbabilityCount)
        }
    }

    @inlinable
    static func checkPacking(_ packing: PackedSequences, shape s: Shape) {
        precondition(packing.rows == s.batch && packing.tokens == s.queryTokens && s.offset == 0,
                     "attention: packing of \(packing.rows) × \(packing.tokens) tokens does not fit q \(s.batch) × \(s.queryTokens), k \(s.keyTokens) (no KV cache with packing)")
    }

    /// Element offsets of a segment's first row in `q`/`out` (`[B, T, H, D]`) and `k`/`v` (`[B, T, K, D]`).
    @inlinable
    static func segmentOffsets(_ segment: PackedSequences.Segment, shape s: Shape) -> (q: Int, kv: Int) {
        let token = segment.row * s.queryTokens + segment.start
        return (token * s.heads * s.headDim, token * s.kvHeads * s.headDim)
    }

    /// A segment as a batch of one sequence (the row strides stay those of the full tensors).
    @inlinable
    static func segmentShape(_ segment: PackedSequences.Segment, shape s: Shape) -> Shape {
        Shape(batch: 1, queryTokens: segment.count, keyTokens: segment.count, heads: s.heads, kvHeads: s.kvHeads, headDim: s.headDim)
    }

    /// Forward for inference (a KV cache, nothing recorded): every (batch, head) unit and block of
    /// `directRowBlock` query rows in parallel, each computed straight from the rows of q, k, v by
    /// `attune_attention_rows` (causal keys only, no `Tq × Tk` buffer, no BLAS): a decoded token's
    /// attention is a few dot products per head, too small for BLAS calls, and a prefill's heads
    /// need not wait for one another.
    /// Its rounding differs from `forward`'s, and `backward` recomputes `forward`'s probabilities,
    /// so training never comes here. Float only; other scalars take `forward`.
    @inlinable
    public static func directForward<T: KernelScalar>(q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,
                                                      out: UnsafeMutablePointer<T>, shape s: Shape) {
        guard T.self == Float.self else { return forward(q: q, k: k, v: v, out: out, shape: s) }
        let tq = s.queryTokens, tk = s.keyTokens, h = s.heads, kh = s.kvHeads, d = s.headDim
        if tq == 1 {  // decoding: the same bits, in pieces that share the threads evenly
            let (qf, kf, vf, of) = (UnsafeRawPointer(q).assumingMemoryBound(to: Float.self), UnsafeRawPointer(k).assumingMemoryBound(to: Float.self),
                                    UnsafeRawPointer(v).assumingMemoryBound(to: Float.self), UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self))
            return decodeForward((0..<s.batch).map { b in
                DecodeSequence(q: qf + b * h * d, k: kf + b * tk * kh * d, v: vf + b * tk * kh * d, keyTokens: tk, out: of + b * h * d)
            }, heads: h, kvHeads: kh, headDim: d)
        }
        let blocks = (tq + directRowBlock - 1) / directRowBlock
        let scale = 1 / Float(d).squareRoot()
        let qs = UncheckedSendable(UnsafeRawPointer(q).assumingMemoryBound(to: Float.self))
        let ks = UncheckedSendable(UnsafeRawPointer(k).assumingMemoryBound(to: Float.self))
        let vs = UncheckedSendable(UnsafeRawPointer(v).assumingMemoryBound(to: Float.self))
        let os = UncheckedSendable(UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self))
        parallelFor(s.batch * h * blocks, minChunk: 1) { item in
            let unit = item / blocks, first = (item % blocks) * directRowBlock
            let b = unit / h, head = unit % h, kvHead = head / s.group
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: tk)
            defer { scores.deallocate() }
            attune_attention_rows(qs.value + (b * tq * h + head) * d, h * d,
                                  ks.value + (b * tk * kh + kvHead) * d, vs.value + (b * tk * kh + kvHead) * d, kh * d,
                                  os.value + (b * tq * h + head) * d, h * d,
                                  min(directRowBlock, tq - first), first, tq, tk, d, scale, scores)
        }
    }

    /// `directForward` for `B` sequences of one query token each (`decodeForward`) — batched
    /// decoding: sequence `i` attends with its row of `q [B, H·D]` to its
    /// own `keyTokens[i]` cached keys and values `[Tk_i, K, D]` at `keys[i]`/`values[i]`, into its
    /// row of `out [B, H·D]`, with the bits `directForward` gives that sequence alone (batch 1, one
    /// query token).
    public static func directForwardSequences(q: UnsafePointer<Float>, keys: [UnsafePointer<Float>], values: [UnsafePointer<Float>],
                                              keyTokens: [Int], out: UnsafeMutablePointer<Float>,
                                              heads h: Int, kvHeads kh: Int, headDim d: Int) {
        let b = keyTokens.count
        precondition(keys.count == b && values.count == b, "attention: \(b) sequences need as many key and value buffers")
        precondition(kh > 0 && h % kh == 0, "attention: \(h) heads do not split into \(kh) kv heads")
        decodeForward((0..<b).map { i in
            DecodeSequence(q: q + i * h * d, k: keys[i], v: values[i], keyTokens: keyTokens[i], out: out + i * h * d)
        }, heads: h, kvHeads: kh, headDim: d)
    }

    /// Query rows per work item of `directForward`.
    public static let directRowBlock = 16

    /// One head's probabilities `P [Tq, Tk]` into `p`, block by block (`causalBlocks`): a row block's
    /// scores for the keys it can see (one GEMM), then softmax rows in parallel, zeros past each
    /// row's causal limit up to the block's key count (entries further right are never read).
    /// Forward and backward both come here, so backward's recomputed `P` equals forward's exactly.
    @inlinable
    static func headProbabilities<T: KernelScalar>(q: UnsafePointer<T>, k: UnsafePointer<T>, batch b: Int, head: Int,
                                                   into p: UnsafeMutablePointer<T>, shape s: Shape) {
        let tq = s.queryTokens, tk = s.keyTokens, h = s.heads, kh = s.kvHeads, d = s.headDim
        let scale = 1 / T(d).squareRoot(), kvHead = head / s.group
        let ps = UncheckedSendable(p)
        for block in causalBlocks(s) {
            let first = block.rows.lowerBound
            T.attentionGEMM(transA: false, transB: true, m: block.rows.count, n: block.keys, k: d, alpha: scale,
                   a: q + ((b * tq + first) * h + head) * d, lda: h * d,
                   b: k + (b * tk * kh + kvHead) * d, ldb: kh * d, beta: 0, c: p + first * tk, ldc: tk)
            parallelFor(block.rows.count, minChunk: 32) { i in
                let t = first + i
                let row = ps.value + t * tk
                let visible = s.offset + t + 1
                SoftmaxKernel.rowSoftmax(row, row, count: visible)
                for j in visible..<block.keys { row[j] = 0 }
            }
        }
    }

    /// Accumulates `dq`, `dk`, `dv` from `dout`, unit by unit (`forEachUnit`): a unit is one
    /// `(batch, kv head)`, whose query heads run one after another in a fixed order (they
    /// accumulate into the same `dk`/`dv` rows), recomputing each head's `P` into a scratch of
    /// `Tq × Tk` beside one for `dP`.
    @inlinable
    public static func backward<T: KernelScalar>(dout: UnsafePointer<T>, q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,
                                                 dq: UnsafeMutablePointer<T>, dk: UnsafeMutablePointer<T>,
                                                 dv: UnsafeMutablePointer<T>, shape s: Shape) {
        forEachUnit(s.batch * s.kvHeads, scratch: 2 * s.headProbabilityCount, T.self) { unit, buffer in
            backwardUnit(dout: dout, q: q, k: k, v: v, dq: dq, dk: dk, dv: dv, shape: s, unit: unit,
                         probabilities: buffer, gradient: buffer + s.headProbabilityCount)
        }
    }

    /// One `(batch, kv head)` of backward, with `pp` and `dp` scratches of `Tq × Tk` each.
    @inlinable
    static func backwardUnit<T: KernelScalar>(dout: UnsafePointer<T>, q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,
                                              dq: UnsafeMutablePointer<T>, dk: UnsafeMutablePointer<T>,
                                              dv: UnsafeMutablePointer<T>, shape s: Shape, unit: Int,
                                              probabilities pp: UnsafeMutablePointer<T>, gradient dp: UnsafeMutablePointer<T>) {
        let tq = s.queryTokens, tk = s.keyTokens, h = s.heads, kh = s.kvHeads, d = s.headDim
        let scale = 1 / T(d).squareRoot()
        let blocks = causalBlocks(s)
        let b = unit / kh, kvHead = unit % kh
        let kp = k + (b * tk * kh + kvHead) * d, vp = v + (b * tk * kh + kvHead) * d
        let dkp = dk + (b * tk * kh + kvHead) * d, dvp = dv + (b * tk * kh + kvHead) * d
        for head in (kvHead * s.group)..<((kvHead + 1) * s.group) {
            let qp = q + (b * tq * h + head) * d, dqp = dq + (b * tq * h + head) * d
            let gp = dout + (b * tq * h + head) * d
            headProbabilities(q: q, k: k, batch: b, head: head, into: pp, shape: s)
            let dps = UncheckedSendable(dp), pps = UncheckedSendable(pp)
            // Query side, row block by row block over the keys each can see:
            // dP = dO · Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)) (zero past the causal limit), dQ += scale · dS · K.
            for block in blocks {
                let first = block.rows.lowerBound
                T.attentionGEMM(transA: false, transB: true, m: block.rows.count, n: block.keys, k: d, alpha: 1, a: gp + first * h * d, lda: h * d,
                       b: vp, ldb: kh * d, beta: 0, c: dp + first * tk, ldc: tk)
                parallelFor(block.rows.count, minChunk: 32) { i in
                    let t = first + i
                    let pr = pps.value + t * tk, dr = dps.value + t * tk
                    let visible = s.offset + t + 1
                    var dot: T = 0
                    for j in 0..<visible { dot += pr[j] * dr[j] }
                    for j in 0..<visible { dr[j] = pr[j] * (dr[j] - dot) }
                    for j in visible..<block.keys { dr[j] = 0 }
                }
                T.attentionGEMM(transA: false, transB: false, m: block.rows.count, n: d, k: block.keys, alpha: scale, a: dp + first * tk, lda: tk,
                       b: kp, ldb: kh * d, beta: 1, c: dqp + first * h * d, ldc: h * d)
            }
            // Key side, key block by key block over the query rows that see it (from the
            // block's first key on: a whole number of the GEMM's K blocks earlier are all zero):
            // dV += Pᵀ · dO, dK += scale · dSᵀ · Q.
            for block in blocks {
                let first = block.rows.lowerBound, keys = (block.rows.count == tq ? tk : block.rows.count)
                let from = blocks.count == 1 ? 0 : first
                T.attentionGEMM(transA: true, transB: false, m: keys, n: d, k: tq - from, alpha: 1, a: pp + from * tk + first, lda: tk,
                       b: gp + from * h * d, ldb: h * d, beta: 1, c: dvp + first * kh * d, ldc: kh * d)
                T.attentionGEMM(transA: true, transB: false, m: keys, n: d, k: tq - from, alpha: scale, a: dp + from * tk + first, lda: tk,
                       b: qp + from * h * d, ldb: h * d, beta: 1, c: dkp + first * kh * d, ldc: kh * d)
            }
        }
    }
}
