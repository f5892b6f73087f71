import TensorCore

extension LlamaModel {
    /// The logits `[V]` after feeding one `token` at position `cache.length` (the cache grows by
    /// one): what `nextTokenLogits([token], cache:)` computes, without the tape. Every step calls
    /// the kernels the tape's path calls, on the same values in the same order (RMSNorm, the
    /// projections' integer dots through `QuantizedLinear.rowwiseForward`, RoPE, the KV append,
    /// `AttentionKernel.decodeForward`, the residual adds, SwiGLU), so the bits are the same; what
    /// goes is the tape's bookkeeping around them: ~20 tensors a block (each an object, a storage
    /// and a buffer) made and freed, reshapes, and per-call arrays. A decoded SmolLM2 token runs
    /// ~180 parallel loops of ~25 µs, and the main thread's work between them (the other thread
    /// waiting) took ~15% of the token; the activations here live in one buffer per token.
    ///
    /// Only for a model whose every projection and output head is a `QuantizedLinear` (a GGUF
    /// file without an adapter on it): nil for any other, which takes the tape's path.
    func decodeStepWithoutTape(_ token: Int32, cache: KVCache) -> [Float]? {
        decodeStepWithoutTape([(token, cache)])?[0]
    }

    /// The same step for several sequences at once, one token each at its own position (serve's
    /// continuous batching): `x [B, C]`, every weight read once for all rows, and each row the bits
    /// it gets alone (`decodeStep`'s reasoning: every kernel computes a row without looking at the
    /// others). Each cache grows by one; nil (nothing written) when the model cannot take this
    /// step or a cache is full.
    func decodeStepWithoutTape(_ rows: [(token: Int32, cache: KVCache)]) -> [[Float]]? {
        var plan = decodePlan.copy { QuantizedDecodePlan(self) }
        if plan.madeWithDecodeRows != Int16DecodeRows.isUsed {  // the kernel path was forced since
            decodePlan.clear()
            plan = decodePlan.copy { QuantizedDecodePlan(self) }
        }
        guard !rows.isEmpty, rows.allSatisfy({ $0.cache.remaining > 0 }), let blocks = plan.blocks, let head = plan.head else { return nil }
        let c = config, b = rows.count
        let width = c.hiddenSize, qWidth = c.heads * c.headDim, kvWidth = c.kvHeads * c.headDim, mlp = c.intermediateSize
        let positions = rows.map(\.cache.length)
        // x, h, q, k, v, rotated q and k, attended, projected, gate, up, gated: B rows each; rstd.
        let sizes = [width, width, qWidth, kvWidth, kvWidth, qWidth, kvWidth, qWidth, width, mlp, mlp, mlp].map { $0 * b } + [b]
        let vocabulary = plan.headRows
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: sizes.reduce(0, +))
        defer { buffer.deallocate() }
        var offset = 0
        let views = sizes.map { n in defer { offset += n }; return buffer + offset }
        let (x, h, q, k, v, qr, kr, attended, projected) = (views[0], views[1], views[2], views[3], views[4], views[5], views[6], views[7], views[8])
        let (gate, up, gated, rstd) = (views[9], views[10], views[11], views[12])

        let tape = Tape(recording: false)
        let embedded = embedding.forward(rows.map(\.token), tape: tape)
        x.update(from: embedded.pointer, count: b * width)
        // One position per row (a lone row: its position, as the tape's table for one token).
        let rope = b == 1 ? RotaryKernel.Table<Float>(positions: positions, headDim: c.headDim, base: c.ropeTheta)
            : RotaryKernel.Table<Float>(positions: positions, headDim: c.headDim, base: c.ropeTheta, perToken: true)
        // Before each weight product, the next one's pieces become the pool's read-ahead hints
        // (`RowwiseProducts.hintPrefetch`): a thread that waits meanwhile (the worker while this
        // thread norms, rotates and adds alone; either one at a loop's end) reads its piece's
        // first bytes into its cache, so the next loop starts on them.
        let ahead = QuantizedDecodePlan.readAheadBytes
        for (i, block) in blocks.enumerated() {
            RMSNormKernel.forward(x: x, weight: norm(i, input: true).pointer, y: h, rstd: rstd, rows: b, cols: width, eps: c.rmsNormEps)
            block.o.hintPrefetch(bytes: ahead)
            block.qkv.run(x: h, rows: b, into: [q, k, v])
            RotaryKernel.apply(q, qr, table: rope, batch: b, tokens: 1, heads: c.heads, layout: c.ropeLayout)
            RotaryKernel.apply(k, kr, table: rope, batch: b, tokens: 1, heads: c.kvHeads, layout: c.ropeLayout)
            let sequences = rows.indices.map { r in
                let cached = rows[r].cache.appendOne(layer: i, keys: kr + r * kvWidth, values: v + r * kvWidth)
                return AttentionKernel.DecodeSequence(q: qr + r * qWidth, k: cached.keys, v: cached.values, keyTokens: positions[r] + 1,
                                                      out: attended + r * qWidth)
            }
            AttentionKernel.decodeForward(sequences, heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim)
            block.gateUp.hintPrefetch(bytes: ahead)
            block.o.run(x: attended, rows: b, into: [projected])
            ElementwiseKernel.addForward(x, projected, x, count: b * width, bCount: b * width)
            RMSNormKernel.forward(x: x, weight: norm(i, input: false).pointer, y: h, rstd: rstd, rows: b, cols: width, eps: c.rmsNormEps)
            block.down.hintPrefetch(bytes: ahead)
            block.gateUp.run(x: h, rows: b, into: [gate, up])
            ActivationKernel.swigluForward(gate: gate, up: up, gated, count: b * mlp)
            if i + 1 < blocks.count { blocks[i + 1].qkv.hintPrefetch(bytes: ahead) } else { head.hintPrefetch(bytes: ahead) }
            block.down.run(x: gated, rows: b, into: [projected])
            ElementwiseKernel.addForward(x, projected, x, count: b * width, bCount: b * width)
        }
        for row in rows { row.cache.advance(by: 1) }
        RMSNormKernel.forward(x: x, weight: parameter("model.norm.weight").pointer, y: h, rstd: rstd, rows: b, cols: width, eps: c.rmsNormEps)
        blocks[0].qkv.hintPrefetch(bytes: ahead)  // the next token's first loop
        if b == 1 {
            // The head writes straight into the returned array (49,152 floats for SmolLM2).
            return [[Float](unsafeUninitializedCapacity: vocabulary) { logits, count in
                head.run(x: h, rows: 1, into: [logits.baseAddress!])
                count = vocabulary
            }]
        }
        let logits = UnsafeMutablePointer<Float>.allocate(capacity: b * vocabulary)
        defer { logits.deallocate() }
        head.run(x: h, rows: b, into: [logits])
        return (0..<b).map { r in Array(UnsafeBufferPointer(start: logits + r * vocabulary, count: vocabulary)) }
    }
}

/// What `decodeStepWithoutTape` needs of a model, found once (on its first decoded token) instead
/// of per token: each block's projections grouped as decoding runs them (q, k, v together; o;
/// gate and up together; down) and the head, each ready for `QuantizedLinear.rowwiseForward`
/// (weights, decoding copies, row offsets). `blocks` is nil when a projection or the head is
/// not a plain `QuantizedLinear`. The model drops it when `linears` or the head change, and with
/// the decoding copies (`releaseGenerationCopies`).
final class QuantizedDecodePlan: @unchecked Sendable {
    typealias Products = QuantizedLinear.RowwiseProducts
    let blocks: [(qkv: Products, o: Products, gateUp: Products, down: Products)]?
    let head: Products?
    let headRows: Int
    /// How much of each thread's next piece an idle pool thread reads ahead (`hintPrefetch`).
    /// Measured on a Zen 4 (one process alternating token by token with and without): 0.5–1% less
    /// time per token at 16, 64 or 256 KiB alike.
    static let readAheadBytes = 64 << 10
    /// `Int16DecodeRows.isUsed` when made (tests force kernel paths).
    let madeWithDecodeRows = Int16DecodeRows.isUsed

    init(_ model: LlamaModel) {
        var blocks: [(qkv: Products, o: Products, gateUp: Products, down: Products)] = []
        var eligible = true
        if let head = model.outputHead as? QuantizedLinear {
            self.head = Products([head])
            headRows = head.outFeatures
        } else {
            head = nil
            headRows = 0
            eligible = false
        }
        for i in 0..<model.config.layers where eligible {
            let layers = LlamaModel.projectionNames.compactMap { model.linear(i, $0) as? QuantizedLinear }
            guard layers.count == LlamaModel.projectionNames.count else {
                eligible = false
                break
            }
            blocks.append((Products(Array(layers[0..<3])), Products([layers[3]]), Products(Array(layers[4..<6])), Products([layers[6]])))
        }
        self.blocks = eligible ? blocks : nil
    }
}
