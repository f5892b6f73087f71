extension Tape {
    /// `a + b`, with `b` the same shape as `a` or a vector over `a`'s last dimension.
    public func add(_ a: Tensor, _ b: Tensor) -> Tensor {
        let bCount = broadcastCount(a, b, "add")
        let y = Tensor(uninitialized: a.shape)
        ElementwiseKernel.addForward(a.pointer, b.pointer, y.pointer, count: a.count, bCount: bCount)
        if needsGrad(a, b) {
            record(y) { [unowned y] in
                guard let g = y.grad else { return }
                ElementwiseKernel.addBackward(g.pointer, da: a.requiresGrad ? a.ensureGrad().pointer : nil,
                                              db: b.requiresGrad ? b.ensureGrad().pointer : nil, count: a.count, bCount: bCount)
            }
        }
        return y
    }

    /// `a ⊙ b`, with `b` the same shape as `a` or a vector over `a`'s last dimension.
    public func mul(_ a: Tensor, _ b: Tensor) -> Tensor {
        let bCount = broadcastCount(a, b, "mul")
        let y = Tensor(zeros: a.shape)
        ElementwiseKernel.mulForward(a.pointer, b.pointer, y.pointer, count: a.count, bCount: bCount)
        if needsGrad(a, b) {
            record(y) { [unowned y] in
                guard let g = y.grad else { return }
                ElementwiseKernel.mulBackward(g.pointer, a: a.pointer, b: b.pointer,
                                              da: a.requiresGrad ? a.ensureGrad().pointer : nil,
                                              db: b.requiresGrad ? b.ensureGrad().pointer : nil, count: a.count, bCount: bCount)
            }
        }
        return y
    }

    /// `s · x`.
    public func scale(_ x: Tensor, _ s: Float) -> Tensor {
        let y = Tensor(zeros: x.shape)
        ElementwiseKernel.scaleForward(x.pointer, y.pointer, count: x.count, scale: s)
        if needsGrad(x) {
            record(y) { [unowned y] in
                guard let g = y.grad else { return }
                ElementwiseKernel.scaleBackward(g.pointer, dx: x.ensureGrad().pointer, count: x.count, scale: s)
            }
        }
        return y
    }

    /// The same values under another shape of equal size; gradients flow back unchanged.
    public func reshape(_ x: Tensor, _ shape: [Int]) -> Tensor {
        precondition(shape.reduce(1, *) == x.count, "reshape: \(x.shape) has \(x.count) values, \(shape) needs \(shape.reduce(1, *))")
        let y = Tensor(shape: shape, storage: x.storage, offset: x.offset)
        if needsGrad(x) {
            record(y) { [unowned y] in
                guard let g = y.grad else { return }
                ElementwiseKernel.addBackward(g.pointer, da: x.ensureGrad().pointer, db: nil, count: x.count, bCount: x.count)
            }
        }
        return y
    }

    /// Sum of every element, as a one-element tensor.
    public func sum(_ x: Tensor) -> Tensor {
        var total: Double = 0
        for i in 0..<x.count { total += Double(x.pointer[i]) }
        let y = Tensor(zeros: [1])
        y.pointer[0] = Float(total)
        if needsGrad(x) {
            record(y) { [unowned y] in
                guard let g = y.grad else { return }
                let dx = x.ensureGrad().pointer, gv = g.pointer[0]
                for i in 0..<x.count { dx[i] += gv }
            }
        }
        return y
    }

    private func broadcastCount(_ a: Tensor, _ b: Tensor, _ op: String) -> Int {
        if b.shape == a.shape { return a.count }
        precondition(b.rank == 1 && b.count == a.columns, "\(op): \(b.shape) neither matches \(a.shape) nor its last dimension")
        return b.count
    }
}
