extension Tape {
    /// Embedding lookup: `ids [N]` into `table [V, C]` gives `[N, C]`.
    public func embedding(_ ids: [Int32], _ table: Tensor) -> Tensor {
        precondition(table.rank == 2, "embedding table must be [V, C], got \(table.shape)")
        let v = table.shape[0], c = table.shape[1], n = ids.count
        let y = Tensor(zeros: [n, c])
        ids.withUnsafeBufferPointer { EmbeddingKernel.forward(ids: $0.baseAddress!, table: table.pointer, y: y.pointer, count: n, vocab: v, width: c) }
        if needsGrad(table) {
            record(y) { [unowned y] in
                guard let g = y.grad else { return }
                ids.withUnsafeBufferPointer { EmbeddingKernel.backward(dy: g.pointer, ids: $0.baseAddress!, dtable: table.ensureGrad().pointer, count: n, width: c) }
            }
        }
        return y
    }

    /// RMSNorm over the last dimension with a learned scale `weight [C]`.
    public func rmsNorm(_ x: Tensor, weight: Tensor, eps: Float) -> Tensor {
        precondition(weight.count == x.columns, "rmsNorm: weight \(weight.shape) does not match width of \(x.shape)")
        let y = Tensor(uninitialized: x.shape)
        let rstd = Tensor(zeros: [x.rows])
        withExtendedLifetime(rstd) {
            RMSNormKernel.forward(x: x.pointer, weight: weight.pointer, y: y.pointer, rstd: rstd.pointer, rows: x.rows, cols: x.columns, eps: eps)
        }
        if needsGrad(x, weight) {
            record(y) { [unowned y] in
                guard let g = y.grad else { return }
                RMSNormKernel.backward(dy: g.pointer, x: x.pointer, weight: weight.pointer, rstd: rstd.pointer,
                                       dx: x.requiresGrad ? x.ensureGrad().pointer : nil,
                                       dweight: weight.requiresGrad ? weight.ensureGrad().pointer : nil,
                                       rows: x.rows, cols: x.columns)
            }
        }
        return y
    }

    /// Rotary position embedding of `x [B, T, H, D]` with a precomputed table.
    public func rotary(_ x: Tensor, table: RotaryKernel.Table<Float>, layout: RotaryLayout) -> Tensor {
        precondition(x.rank == 4 && x.shape[3] == 2 * table.halfDim, "rotary: expected [B, T, H, \(2 * table.halfDim)], got \(x.shape)")
        let (b, t, h) = (x.shape[0], x.shape[1], x.shape[2])
        let y = Tensor(zeros: x.shape)
        RotaryKernel.apply(x.pointer, y.pointer, table: table, batch: b, tokens: t, heads: h, layout: layout)
        if needsGrad(x) {
            record(y) { [unowned y] in
                guard let g = y.grad else { return }
                RotaryKernel.backward(dy: g.pointer, dx: x.ensureGrad().pointer, table: table, batch: b, tokens: t, heads: h, layout: layout)
            }
        }
        return y
    }

    /// Causal grouped-query attention: `q [B, Tq, H, D]`, `k, v [B, Tk, K, D]` → `[B, Tq, H, D]`.
    /// `direct` (inference with a KV cache) takes `AttentionKernel.directForward`, which rounds
    /// differently from the recorded path, so it cannot be combined with a gradient. With
    /// `packing`, each segment attends only within itself (block-diagonal); padding gives 0.
    public func attention(q: Tensor, k: Tensor, v: Tensor, direct: Bool = false, packing: PackedSequences? = nil) -> Tensor {
        precondition(q.rank == 4 && k.rank == 4 && v.shape == k.shape && q.shape[0] == k.shape[0] && q.shape[3] == k.shape[3],
                     "attention: q \(q.shape), k \(k.shape), v \(v.shape) must be [B, T, H, D] and [B, T, K, D]")
        let shape = AttentionKernel.Shape(batch: q.shape[0], queryTokens: q.shape[1], keyTokens: k.shape[1],
                                          heads: q.shape[2], kvHeads: k.shape[2], headDim: q.shape[3])
        let out = Tensor(zeros: q.shape)
        if direct {
            precondition(packing == nil, "attention: the direct kernel (KV cache) serves one sequence; packed rows take the recorded path")
            precondition(!needsGrad(q, k, v), "attention: the direct kernel is for inference; a gradient needs the recorded path")
            AttentionKernel.directForward(q: q.pointer, k: k.pointer, v: v.pointer, out: out.pointer, shape: shape)
            return out
        }
        if let packing {
            AttentionKernel.forward(q: q.pointer, k: k.pointer, v: v.pointer, out: out.pointer, shape: shape, packing: packing)
        } else {
            AttentionKernel.forward(q: q.pointer, k: k.pointer, v: v.pointer, out: out.pointer, shape: shape)
        }
        if needsGrad(q, k, v) {
            record(out) { [unowned out] in
                guard let g = out.grad else { return }
                let (dq, dk, dv) = (q.ensureGrad().pointer, k.ensureGrad().pointer, v.ensureGrad().pointer)
                if let packing {
                    AttentionKernel.backward(dout: g.pointer, q: q.pointer, k: k.pointer, v: v.pointer, dq: dq, dk: dk, dv: dv,
                                             shape: shape, packing: packing)
                } else {
                    AttentionKernel.backward(dout: g.pointer, q: q.pointer, k: k.pointer, v: v.pointer, dq: dq, dk: dk, dv: dv, shape: shape)
                }
            }
        }
        return out
    }

    /// `silu(x) = x·σ(x)`.
    public func silu(_ x: Tensor) -> Tensor {
        let y = Tensor(zeros: x.shape)
        ActivationKernel.siluForward(x.pointer, y.pointer, count: x.count)
        if needsGrad(x) {
            record(y) { [unowned y] in
                guard let g = y.grad else { return }
                ActivationKernel.siluBackward(dy: g.pointer, x: x.pointer, dx: x.ensureGrad().pointer, count: x.count)
            }
        }
        return y
    }

    /// `silu(gate) ⊙ up`, the SwiGLU product.
    public func swiglu(gate: Tensor, up: Tensor) -> Tensor {
        precondition(gate.shape == up.shape, "swiglu: gate \(gate.shape) and up \(up.shape) differ")
        let y = Tensor(uninitialized: gate.shape)
        ActivationKernel.swigluForward(gate: gate.pointer, up: up.pointer, y.pointer, count: y.count)
        if needsGrad(gate, up) {
            record(y) { [unowned y] in
                guard let g = y.grad else { return }
                ActivationKernel.swigluBackward(dy: g.pointer, gate: gate.pointer, up: up.pointer,
                                                dgate: gate.requiresGrad ? gate.ensureGrad().pointer : nil,
                                                dup: up.requiresGrad ? up.ensureGrad().pointer : nil, count: y.count)
            }
        }
        return y
    }

    /// Softmax over the last dimension.
    public func softmax(_ x: Tensor) -> Tensor {
        let y = Tensor(zeros: x.shape)
        SoftmaxKernel.forward(x.pointer, y.pointer, rows: x.rows, cols: x.columns)
        if needsGrad(x) {
            record(y) { [unowned y] in
                guard let g = y.grad else { return }
                SoftmaxKernel.backward(dy: g.pointer, y: y.pointer, dx: x.ensureGrad().pointer, rows: x.rows, cols: x.columns)
            }
        }
        return y
    }

    /// Inverted dropout with probability `p` from `rng` (identity when `p == 0`).
    public func dropout(_ x: Tensor, p: Float, rng: inout RandomGenerator) -> Tensor {
        guard p > 0 else { return x }
        let mask = DropoutKernel.mask(count: x.count, p: p, rng: &rng)
        let y = Tensor(zeros: x.shape)
        mask.withUnsafeBufferPointer { DropoutKernel.forward(x.pointer, mask: $0.baseAddress!, y.pointer, count: x.count, p: p) }
        if needsGrad(x) {
            record(y) { [unowned y] in
                guard let g = y.grad else { return }
                mask.withUnsafeBufferPointer { DropoutKernel.backward(dy: g.pointer, mask: $0.baseAddress!, dx: x.ensureGrad().pointer, count: x.count, p: p) }
            }
        }
        return y
    }

    /// Mean cross-entropy of `logits [N, V]` against `targets [N]` (−100 ignored) as a scalar.
    /// Returns the loss tensor and the number of positions that counted.
    public func crossEntropy(_ logits: Tensor, targets: [Int32]) -> (loss: Tensor, valid: Int) {
        precondition(logits.rank == 2 && logits.shape[0] == targets.count,
                     "crossEntropy: logits \(logits.shape) need one target per row, got \(targets.count)")
        let (n, v) = (logits.shape[0], logits.shape[1])
        let lse = Tensor(zeros: [n])
        let (value, valid) = withExtendedLifetime(lse) {
            targets.withUnsafeBufferPointer {
                CrossEntropyKernel.forward(logits: logits.pointer, targets: $0.baseAddress!, logSumExp: lse.pointer, rows: n, vocab: v)
            }
        }
        let loss = Tensor(zeros: [1])
        loss.pointer[0] = value
        if needsGrad(logits) {
            record(loss) { [unowned loss] in
                guard let g = loss.grad else { return }
                targets.withUnsafeBufferPointer {
                    CrossEntropyKernel.backward(dloss: g.pointer[0], logits: logits.pointer, targets: $0.baseAddress!, logSumExp: lse.pointer,
                                                dlogits: logits.ensureGrad().pointer, rows: n, vocab: v, valid: valid)
                }
            }
        }
        return (loss, valid)
    }
}
