import TensorCore

/// One sequence's place in a batched decoding step: the token it feeds, its own cache (the token
/// sits at position `cache.length`), and the projections it uses instead of the model's (module
/// name → layer, such as its adapter's `LoRALinear`s; empty: the model's own).
public struct DecodeRow {
    public var token: Int32
    public var cache: KVCache
    public var layers: [String: LinearLayer]

    public init(token: Int32, cache: KVCache, layers: [String: LinearLayer] = [:]) {
        self.token = token; self.cache = cache; self.layers = layers
    }
}

extension LlamaModel {
    /// One decoding step for `B = rows.count` sequences at once: each feeds one token and gets the
    /// logits `[V]` of its next token, exactly (same bits) as `nextTokenLogits([token], cache:)`
    /// gives it alone.
    ///
    /// Per block, with `x [B, C]` (row `b` is sequence `b` at its own position `p_b = cache_b.length`):
    /// ```
    /// h = RMSNorm(x)                                   [B, C]   one pass of the weights for all rows
    /// q, k, v = rope(h Wqᵀ, p_b), rope(h Wkᵀ, p_b), h Wvᵀ [B, 1, H, D], [B, 1, K, D]
    /// o_b = attention(q_b, cache_b ∪ (k_b, v_b))        [1, 1, H, D] per row, against its own cache
    ///                                                  (one parallel loop over rows × heads)
    /// x = x + o Woᵀ;  x = x + (silu(RMSNorm(x) Wgᵀ) ⊙ RMSNorm(x) Wuᵀ) Wdᵀ
    /// ```
    /// then `logits = RMSNorm(x) · Wₗₘᵀ` `[B, V]`. Every kernel on the way computes a row without
    /// looking at the others: RMSNorm, RoPE and SwiGLU are per row, the reproducible GEMM's
    /// element arithmetic depends on K alone, and a quantized projection stays on its per-row
    /// integer path at any row count (`Tape.independentRows`), reading each weight row once for
    /// all rows. (In `fast` numerics OpenBLAS may round a row differently at another row count.)
    ///
    /// A row whose `layers` wrap one of the model's projections in a `LoRALinear` (an adapter)
    /// shares the base product with the other rows and adds its own `s · (x Aᵀ) Bᵀ` on its rows;
    /// any other replacement layer runs on the rows that name it. Prefill stays per sequence
    /// (`nextTokenLogits` with the sequence's adapter on the model). Every cache must have a free
    /// position; each grows by one.
    public func decodeStep(_ rows: [DecodeRow]) -> [[Float]] {
        precondition(!rows.isEmpty, "decodeStep: no rows")
        for row in rows {
            precondition(row.cache.remaining > 0, "decodeStep: a KV cache is full (\(row.cache.capacity) positions)")
            precondition(row.token >= 0 && Int(row.token) < config.vocabSize, "decodeStep: token \(row.token) outside the vocabulary")
        }
        precondition(Set(rows.map { ObjectIdentifier($0.cache) }).count == rows.count, "decodeStep: two rows share one KV cache")
        // Every row on the model's own layers (no adapter), or a lone row with its adapter: the
        // tape-free step, the same bits.
        if rows.allSatisfy({ row in row.layers.allSatisfy { module, layer in linears[module] === layer } }),
           let logits = decodeStepWithoutTape(rows.map { ($0.token, $0.cache) }) {
            return logits
        }
        if rows.count == 1, let logits = decodeStepWithoutTape([(rows[0].token, rows[0].cache)], layers: rows[0].layers) {
            return logits
        }
        let tape = Tape(recording: false)
        tape.independentRows = true
        let c = config
        let rope = RotaryKernel.Table<Float>(positions: rows.map(\.cache.length), headDim: c.headDim, base: c.ropeTheta, perToken: true)
        var x = embedding.forward(rows.map(\.token), tape: tape)
        for i in 0..<c.layers { x = batchedBlock(i, x, rows: rows, rope: rope, tape: tape) }
        for row in rows { row.cache.advance(by: 1) }
        let hidden = tape.rmsNorm(x, weight: parameter("model.norm.weight"), eps: c.rmsNormEps)
        let logits = outputHead.forward(hidden, tape: tape)
        let v = logits.columns
        return (0..<rows.count).map { b in Array(UnsafeBufferPointer(start: logits.pointer + b * v, count: v)) }
    }

    /// Block `i` for one token per row, `[B, C]` → `[B, C]`.
    private func batchedBlock(_ i: Int, _ x: Tensor, rows: [DecodeRow], rope: RotaryKernel.Table<Float>, tape: Tape) -> Tensor {
        let c = config
        let b = rows.count
        let h = tape.rmsNorm(x, weight: norm(i, input: true), eps: c.rmsNormEps)
        let qkv = project(i, ["q_proj", "k_proj", "v_proj"], h, rows: rows, tape: tape)
        let q = tape.rotary(tape.reshape(qkv[0], [b, 1, c.heads, c.headDim]), table: rope, layout: c.ropeLayout)
        let k = tape.rotary(tape.reshape(qkv[1], [b, 1, c.kvHeads, c.headDim]), table: rope, layout: c.ropeLayout)
        let v = tape.reshape(qkv[2], [b, 1, c.kvHeads, c.headDim])
        let kvWidth = c.kvHeads * c.headDim
        // Each row's keys and values join its own cache; then one parallel loop over (row, head)
        // attends each row to its cache (the direct kernel's call for that row alone).
        let cached = rows.enumerated().map { r, row in
            row.cache.append(layer: i, keys: Self.row(k, r, width: kvWidth, shape: [1, 1, c.kvHeads, c.headDim]),
                             values: Self.row(v, r, width: kvWidth, shape: [1, 1, c.kvHeads, c.headDim]))
        }
        let attended = Tensor(zeros: [b, c.heads * c.headDim])
        withExtendedLifetime(cached) {
            AttentionKernel.directForwardSequences(q: q.pointer, keys: cached.map { UnsafePointer($0.0.pointer) },
                                                   values: cached.map { UnsafePointer($0.1.pointer) }, keyTokens: cached.map { $0.0.shape[1] },
                                                   out: attended.pointer, heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim)
        }
        let x = tape.add(x, project(i, "o_proj", attended, rows: rows, tape: tape))
        let h2 = tape.rmsNorm(x, weight: norm(i, input: false), eps: c.rmsNormEps)
        let gateUp = project(i, ["gate_proj", "up_proj"], h2, rows: rows, tape: tape)
        let gated = tape.swiglu(gate: gateUp[0], up: gateUp[1])
        return tape.add(x, project(i, "down_proj", gated, rows: rows, tape: tape))
    }

    /// Projections `names` of block `i` on the same `x [B, in]`: together
    /// (`SharedInputProjections`) when every row uses the model's own layers for all of them,
    /// otherwise one by one.
    private func project(_ i: Int, _ names: [String], _ x: Tensor, rows: [DecodeRow], tape: Tape) -> [Tensor] {
        let modules = names.map { Self.moduleName(layer: i, projection: $0) }
        let ownLayers = rows.allSatisfy { row in modules.allSatisfy { row.layers[$0] == nil || row.layers[$0]! === linears[$0]! } }
        guard ownLayers else { return names.map { project(i, $0, x, rows: rows, tape: tape) } }
        return SharedInputProjections.forward(modules.map { linears[$0]! }, x, tape: tape)
    }

    /// Projection `name` of block `i` on `x [B, in]`, each row through its own layer: the model's
    /// for every row at once, then each row group's adapter update (or replacement) on its rows.
    private func project(_ i: Int, _ name: String, _ x: Tensor, rows: [DecodeRow], tape: Tape) -> Tensor {
        let module = Self.moduleName(layer: i, projection: name)
        let base = linears[module]!
        var groups: [(layer: LinearLayer, rows: [Int])] = []
        for (r, row) in rows.enumerated() {
            guard let layer = row.layers[module], layer !== base else { continue }
            if let g = groups.firstIndex(where: { $0.layer === layer }) { groups[g].rows.append(r) } else { groups.append((layer, [r])) }
        }
        if groups.count == 1, groups[0].rows.count == rows.count { return groups[0].layer.forward(x, tape: tape) }
        let y = base.forward(x, tape: tape)
        for (layer, members) in groups {
            let xg = Self.gather(x, members)
            let out: Tensor
            if let lora = layer as? LoRALinear, lora.base === base, !(lora.isTraining && lora.dropout > 0) {
                // LoRALinear.forward's own arithmetic, with the base product shared by every row.
                let update = tape.linear(tape.scale(tape.linear(xg, lora.a), lora.scale), lora.b)
                out = tape.add(Self.gather(y, members), update)
            } else {
                out = layer.forward(xg, tape: tape)
            }
            Self.scatter(out, into: y, members)
        }
        return y
    }

    /// Row `r` of `t` (`width` values per row) as a new tensor of `shape`.
    private static func row(_ t: Tensor, _ r: Int, width: Int, shape: [Int]) -> Tensor {
        let out = Tensor(zeros: shape)
        out.pointer.update(from: t.pointer + r * width, count: width)
        return out
    }

    /// Rows `members` of `t [N, W]` as `[members.count, W]`.
    private static func gather(_ t: Tensor, _ members: [Int]) -> Tensor {
        let w = t.columns
        let out = Tensor(zeros: [members.count, w])
        for (j, r) in members.enumerated() { (out.pointer + j * w).update(from: t.pointer + r * w, count: w) }
        return out
    }

    /// Writes the rows of `rowsTensor` over rows `members` of `t`.
    private static func scatter(_ rowsTensor: Tensor, into t: Tensor, _ members: [Int]) {
        let w = t.columns
        for (j, r) in members.enumerated() { (t.pointer + r * w).update(from: rowsTensor.pointer + j * w, count: w) }
    }
}
