import Synchronization
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
    /// Only for a model whose output head is a `QuantizedLinear` and every projection one too or
    /// a `LoRALinear` over one (a GGUF file, with or without an adapter; the adapter's update
    /// `s · (x Aᵀ) Bᵀ` added by `LoRALinear.addUpdate`'s kernels): nil for any other, which takes
    /// the tape's path.
    func decodeStepWithoutTape(_ token: Int32, cache: KVCache) -> [Float]? {
        decodeStepWithoutTape([(token, cache)])?[0]
    }

    /// The same step for several sequences at once, one token each at its own position (serve's
    /// continuous batching): `x [B, C]`, every weight read once for all rows, and each row the bits
    /// it gets alone (`decodeStep`'s reasoning: every kernel computes a row without looking at the
    /// others). Each cache grows by one; nil (nothing written) when the model cannot take this
    /// step, a cache is full, or an adapter is on the model and there are several rows (serve's
    /// batch with adapters stays on the tape).
    ///
    /// `layers` (module name → layer) replace the model's projections for this step: a serve
    /// row's adapter (`DecodeRow.layers`), the model itself left as it is.
    func decodeStepWithoutTape(_ rows: [(token: Int32, cache: KVCache)], layers: [String: LinearLayer] = [:]) -> [[Float]]? {
        var plan = layers.isEmpty ? decodePlan.copy { QuantizedDecodePlan(self) } : adapterDecodePlans.plan(self, layers: layers)
        if plan.madeWithDecodeRows != Int16DecodeRows.isUsed {  // the kernel path was forced since
            decodePlan.clear()
            adapterDecodePlans.clear()
            plan = layers.isEmpty ? decodePlan.copy { QuantizedDecodePlan(self) } : adapterDecodePlans.plan(self, layers: layers)
        }
        guard !rows.isEmpty, rows.allSatisfy({ $0.cache.remaining > 0 }), let blocks = plan.blocks, let head = plan.head,
              plan.adapters.isEmpty || (rows.count == 1 && !plan.adapters.contains(where: \.usesDropout)) else { return nil }
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
            for update in block.qkvAdapters { update.add(x: h, rows: b, into: [q, k, v]) }
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
            for update in block.oAdapters { update.add(x: attended, rows: b, into: [projected]) }
            ElementwiseKernel.addForward(x, projected, x, count: b * width, bCount: b * width)
            RMSNormKernel.forward(x: x, weight: norm(i, input: false).pointer, y: h, rstd: rstd, rows: b, cols: width, eps: c.rmsNormEps)
            block.down.hintPrefetch(bytes: ahead)
            block.gateUp.run(x: h, rows: b, into: [gate, up])
            for update in block.gateUpAdapters { update.add(x: h, rows: b, into: [gate, up]) }
            ActivationKernel.swigluForward(gate: gate, up: up, gated, count: b * mlp)
            if i + 1 < blocks.count { blocks[i + 1].qkv.hintPrefetch(bytes: ahead) } else { head.hintPrefetch(bytes: ahead) }
            block.down.run(x: gated, rows: b, into: [projected])
            for update in block.downAdapters { update.add(x: gated, rows: b, into: [projected]) }
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
/// (weights, decoding copies, row offsets), and the adapters on them. `blocks` is nil when a
/// projection or the head is neither a plain `QuantizedLinear` nor (projections only) a
/// `LoRALinear` over one. The model drops it when `linears` or the head change,
/// and with the decoding copies (`releaseGenerationCopies`).
final class QuantizedDecodePlan: @unchecked Sendable {
    typealias Products = QuantizedLinear.RowwiseProducts

    /// An adapter on one projection of a group: `y_output += s · (x Aᵀ) Bᵀ`, the kernels of
    /// `LoRALinear.addUpdate` (`linear`, `scale`, `addLinear`) on the group's outputs.
    struct AdapterUpdate {
        let output: Int
        let lora: LoRALinear

        func add(x: UnsafePointer<Float>, rows m: Int, into outputs: [UnsafeMutablePointer<Float>]) {
            let (a, b, r) = (lora.a, lora.b, lora.rank)
            let h = UnsafeMutablePointer<Float>.allocate(capacity: 2 * m * r)
            defer { h.deallocate() }
            MatmulKernel.forward(x, a.pointer, h, m: m, n: r, k: lora.inFeatures, transB: true, frozenB: !a.requiresGrad)
            ElementwiseKernel.scaleForward(h, h + m * r, count: m * r, scale: lora.scale)
            MatmulKernel.addLinearForward(h + m * r, b.pointer, outputs[output], m: m, n: lora.outFeatures, k: r, frozenB: !b.requiresGrad)
        }
    }

    /// One block's products, each with the adapters on its projections.
    struct Block {
        let qkv: Products, o: Products, gateUp: Products, down: Products
        let qkvAdapters: [AdapterUpdate], oAdapters: [AdapterUpdate], gateUpAdapters: [AdapterUpdate], downAdapters: [AdapterUpdate]
    }

    let blocks: [Block]?
    let head: Products?
    let headRows: Int
    /// The adapters on the projections (with any, the step serves one row at a time, and none
    /// while an adapter draws dropout masks: then the tape's path draws them).
    let adapters: [LoRALinear]
    /// How much of each thread's next piece an idle pool thread reads ahead (`hintPrefetch`).
    /// Measured on a Zen 4 (one process alternating token by token with and without): 0.5–1% less
    /// time per token at 16, 64 or 256 KiB alike.
    static let readAheadBytes = 64 << 10
    /// `Int16DecodeRows.isUsed` when made (tests force kernel paths).
    let madeWithDecodeRows = Int16DecodeRows.isUsed

    /// The plan of `model` with `layers` (module name → layer) in place of its own projections.
    init(_ model: LlamaModel, layers: [String: LinearLayer] = [:]) {
        var blocks: [Block] = []
        var eligible = true, adapters: [LoRALinear] = []
        if let head = model.outputHead as? QuantizedLinear {
            self.head = Products([head])
            headRows = head.outFeatures
        } else {
            head = nil
            headRows = 0
            eligible = false
        }
        for i in 0..<model.config.layers where eligible {
            var bases: [QuantizedLinear] = [], updates: [AdapterUpdate?] = []
            for name in LlamaModel.projectionNames {
                let layer = layers[LlamaModel.moduleName(layer: i, projection: name)] ?? model.linear(i, name)
                if let quantized = layer as? QuantizedLinear {
                    bases.append(quantized)
                    updates.append(nil)
                } else if let lora = layer as? LoRALinear, let quantized = lora.base as? QuantizedLinear {
                    bases.append(quantized)
                    updates.append(AdapterUpdate(output: 0, lora: lora))
                    adapters.append(lora)
                } else {
                    eligible = false
                    break
                }
            }
            guard eligible else { break }
            // The adapters of projections `range`, each numbered by its place in the group.
            func group(_ range: Range<Int>) -> [AdapterUpdate] {
                range.compactMap { p in updates[p].map { AdapterUpdate(output: p - range.lowerBound, lora: $0.lora) } }
            }
            blocks.append(Block(qkv: Products(Array(bases[0..<3])), o: Products([bases[3]]), gateUp: Products(Array(bases[4..<6])),
                                down: Products([bases[6]]), qkvAdapters: group(0..<3), oAdapters: group(3..<4),
                                gateUpAdapters: group(4..<6), downAdapters: group(6..<7)))
        }
        self.blocks = eligible ? blocks : nil
        self.adapters = adapters
    }
}

/// Decoding plans for the model with some projections replaced (serve's rows with an adapter),
/// keyed by the replacing layers, which each plan keeps alive; a few at most (one per adapter in
/// use). Dropped whenever the model's own plan is.
final class AdapterDecodePlans: @unchecked Sendable {
    private let plans = Mutex<[[ObjectIdentifier]: QuantizedDecodePlan]>([:])
    static let limit = 8

    func plan(_ model: LlamaModel, layers: [String: LinearLayer]) -> QuantizedDecodePlan {
        let key = layers.sorted { $0.key < $1.key }.map { ObjectIdentifier($0.value) }
        if let plan = plans.withLock({ $0[key] }) { return plan }
        let plan = QuantizedDecodePlan(model, layers: layers)
        plans.withLock { plans in
            if plans.count >= Self.limit { plans.removeAll() }
            plans[key] = plan
        }
        return plan
    }

    func clear() { plans.withLock { $0.removeAll() } }
}
