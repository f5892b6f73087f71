extension Tape {
    /// Gradient checkpointing (activation recomputation) of one segment `y = body(x)`.
    ///
    /// Forward runs `body` without recording, so none of the segment's activations outlive it;
    /// only `x` and `y` stay. Backward runs `body` again on a fresh tape from a copy of `x` that
    /// requires a gradient, backpropagates `dy` through it (parameters inside `body` accumulate
    /// their gradients as usual) and adds the result into `dx`. Time: one extra forward of the
    /// segment; memory: one segment's activations instead of all of them.
    ///
    /// `body` must compute the same function both times: `prepareRecompute` runs just before the
    /// second call and `finishRecompute` just after (restore and then re-advance random state, as
    /// PyTorch's `preserve_rng_state` does for dropout).
    public func checkpoint(_ x: Tensor, prepareRecompute: @escaping () -> Void = {}, finishRecompute: @escaping () -> Void = {},
                           _ body: @escaping (Tensor, Tape) -> Tensor) -> Tensor {
        guard isRecording else { return body(x, self) }
        let y = body(x, Tape(recording: false))
        record(y) { [unowned y] in
            guard let dy = y.grad else { return }
            let inner = Tape()
            let leaf = Tensor(shape: x.shape, storage: x.storage, offset: x.offset, requiresGrad: true)
            prepareRecompute()
            let recomputed = body(leaf, inner)
            finishRecompute()
            guard recomputed.requiresGrad else { return }
            inner.backward(from: recomputed, gradient: dy)
            if x.requiresGrad, let dx = leaf.grad {
                guard let target = x.grad else { x.grad = dx; return }
                withExtendedLifetime(dx) {
                    ElementwiseKernel.addBackward(dx.pointer, da: target.pointer, db: nil, count: dx.count, bCount: dx.count)
                }
            }
        }
        return y
    }
}
