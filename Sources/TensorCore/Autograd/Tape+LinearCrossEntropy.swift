extension Tape {
    /// Mean cross-entropy of `projection(hidden)` against `targets`, without ever holding the
    /// whole `[N, V]` logits: rows go through the output projection `chunkRows` at a time.
    ///
    /// `loss = (1/M) Σ_{n valid} CE(projection(hidden[n]), target[n])`, M = valid count; the value
    /// equals `crossEntropy(projection(hidden))` up to float summation order.
    ///
    /// When the projection has no trainable weights (LoRA, QLoRA: the head is frozen) the chunk's
    /// gradient `dhidden` is computed right away in forward and only `[N, C]` is kept; backward
    /// scales it by the seed. When the projection is trainable (full fine-tuning of a tied or
    /// untied head) backward recomputes each chunk's logits, so the weight gradient sees the true
    /// seed — unless the tape knows that seed already (`plannedSeed`, set by the trainer): then
    /// each chunk's backward runs right after its forward, with that seed, accumulating the weight
    /// gradient and keeping `[N, C]` for backward, exactly the operations (and bits) backward would
    /// run, without computing the logits twice. Either way memory holds one chunk of logits and its
    /// gradient, not `2 · N · V` floats.
    /// `projectionIsTrainable`, when known, saves a probe of the projection with one row.
    public func linearCrossEntropy(_ hidden: Tensor, targets: [Int32], chunkRows: Int, projectionIsTrainable: Bool? = nil,
                                   projection: @escaping (Tensor, Tape) -> Tensor) -> (loss: Tensor, valid: Int) {
        precondition(hidden.rank == 2 && hidden.rows == targets.count,
                     "linearCrossEntropy: hidden \(hidden.shape) needs one target per row, got \(targets.count)")
        precondition(chunkRows > 0, "linearCrossEntropy: chunkRows must be positive")
        let (n, c) = (hidden.rows, hidden.columns)
        let valid = targets.reduce(0) { $0 + ($1 == CrossEntropyKernel.ignoreIndex ? 0 : 1) }
        let ranges = stride(from: 0, to: n, by: chunkRows).map { $0..<min($0 + chunkRows, n) }
        let headTrainable = isRecording && projectionIsTrainable ?? {
            let probeTape = Tape()
            _ = projection(Tensor(zeros: [1, c]), probeTape)
            return probeTape.count > 0
        }()
        let fused = isRecording && hidden.requiresGrad && !headTrainable
        let dhidden = fused ? Tensor(zeros: [n, c]) : nil
        // A trainable head with the seed known: its backward runs in forward (see above).
        let eagerSeed = isRecording && headTrainable ? plannedSeed : nil
        let eagerDHidden = eagerSeed != nil && hidden.requiresGrad ? Tensor(zeros: [n, c]) : nil

        /// Forward (and, with `seed`, backward) of one chunk; returns its summed loss.
        func chunk(_ range: Range<Int>, seed: Float?) -> (sum: Double, grad: Tensor?) {
            let rows = Tensor(shape: [range.count, c], storage: hidden.storage, offset: hidden.offset + range.lowerBound * c,
                              requiresGrad: seed != nil)
            let inner = Tape(recording: seed != nil)
            let logits = projection(rows, inner)
            let (loss, count) = inner.crossEntropy(logits, targets: Array(targets[range]))
            let sum = Double(loss[flat: 0]) * Double(count)
            guard let seed, count > 0 else { return (sum, nil) }
            inner.backward(from: loss, seed: seed * Float(count) / Float(valid))
            return (sum, rows.grad)
        }

        var total = 0.0
        var eagerRanges: [Range<Int>] = []  // the chunks whose input gradient eagerDHidden holds
        for range in ranges {
            let (sum, grad) = chunk(range, seed: fused ? 1 : eagerSeed)
            total += sum
            if let grad, let kept = dhidden ?? eagerDHidden {
                withExtendedLifetime(grad) { (kept.pointer + range.lowerBound * c).update(from: grad.pointer, count: grad.count) }
                if eagerDHidden != nil { eagerRanges.append(range) }
            }
        }
        let loss = Tensor(zeros: [1])
        loss[flat: 0] = valid > 0 ? Float(total / Double(valid)) : 0
        guard isRecording && (hidden.requiresGrad || headTrainable) && valid > 0 else { return (loss, valid) }
        record(loss) { [unowned loss] in
            guard let g = loss.grad else { return }
            let seed = g[flat: 0]
            if let dhidden {
                let dx = hidden.ensureGrad()
                for i in 0..<dhidden.count { dx.pointer[i] += seed * dhidden.pointer[i] }
                return
            }
            if eagerSeed != nil {  // the weight gradient is in; add each chunk's input gradient as below
                guard let eagerDHidden else { return }
                let dx = hidden.ensureGrad()
                for range in eagerRanges {
                    let offset = range.lowerBound * c
                    ElementwiseKernel.addBackward(eagerDHidden.pointer + offset, da: dx.pointer + offset, db: nil,
                                                  count: range.count * c, bCount: range.count * c)
                }
                return
            }
            for range in ranges {
                guard let grad = chunk(range, seed: seed).grad, hidden.requiresGrad else { continue }
                let dx = hidden.ensureGrad()
                withExtendedLifetime(grad) {
                    ElementwiseKernel.addBackward(grad.pointer, da: dx.pointer + range.lowerBound * c, db: nil, count: grad.count, bCount: grad.count)
                }
            }
        }
        return (loss, valid)
    }
}
