import CKernels

extension Tape {
    /// `C = op(A) · op(B)` for 2-D tensors (`[M,K]·[K,N]`, with optional transposes).
    public func matmul(_ a: Tensor, _ b: Tensor, transA: Bool = false, transB: Bool = false) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2, "matmul needs 2-D tensors, got \(a.shape) and \(b.shape)")
        let m = transA ? a.shape[1] : a.shape[0], k = transA ? a.shape[0] : a.shape[1]
        let kb = transB ? b.shape[1] : b.shape[0], n = transB ? b.shape[0] : b.shape[1]
        precondition(k == kb, "matmul: inner dimensions differ, \(a.shape)\(transA ? "ᵀ" : "") · \(b.shape)\(transB ? "ᵀ" : "")")
        let c = Tensor(uninitialized: [m, n])
        MatmulKernel.forward(a.pointer, b.pointer, c.pointer, m: m, n: n, k: k, transA: transA, transB: transB)
        if needsGrad(a, b) {
            record(c) { [unowned c] in
                guard let g = c.grad else { return }
                MatmulKernel.backward(dC: g.pointer, a: a.pointer, b: b.pointer,
                                      dA: a.requiresGrad ? a.ensureGrad().pointer : nil,
                                      dB: b.requiresGrad ? b.ensureGrad().pointer : nil,
                                      m: m, n: n, k: k, transA: transA, transB: transB)
            }
        }
        return c
    }

    /// A linear layer without bias in Hugging Face layout: `y[..., out] = x[..., in] · Wᵀ` with
    /// `W [out, in]`. Leading dimensions of `x` are kept. A weight without `requiresGrad` is frozen:
    /// in `bf16` numerics its products (`y` and `dx`) run in bfloat16 (`BF16Products`).
    public func linear(_ x: Tensor, _ weight: Tensor) -> Tensor {
        precondition(weight.rank == 2 && x.columns == weight.shape[1],
                     "linear: input \(x.shape) does not end in weight \(weight.shape)'s input width \(weight.shape.last ?? 0)")
        let y = Tensor(uninitialized: Array(x.shape.dropLast()) + [weight.shape[0]])
        MatmulKernel.forward(x.pointer, weight.pointer, y.pointer, m: x.rows, n: weight.shape[0], k: x.columns,
                             transB: true, frozenB: !weight.requiresGrad)
        recordLinearBackward(y, x, weight)
        return y
    }

    /// Records `dx += dy · W` and `dW += dyᵀ · x` for `y = x · Wᵀ` (each only where a gradient is
    /// wanted); `keepsGradient` for an output updated in place (`addLinear`).
    private func recordLinearBackward(_ y: Tensor, _ x: Tensor, _ weight: Tensor, keepsGradient: Bool = false) {
        guard needsGrad(x, weight) else { return }
        let m = x.rows, k = x.columns, n = weight.shape[0]
        let frozen = !weight.requiresGrad
        record(y, keepsGradient: keepsGradient) { [unowned y] in
            guard let g = y.grad else { return }
            MatmulKernel.backward(dC: g.pointer, a: x.pointer, b: weight.pointer,
                                  dA: x.requiresGrad ? x.ensureGrad().pointer : nil,
                                  dB: weight.requiresGrad ? weight.ensureGrad().pointer : nil,
                                  m: m, n: n, k: k, transB: true, frozenB: frozen)
        }
    }

    /// `y[..., out] += x[..., in] · Wᵀ`, in place: a linear layer's output added into another's
    /// (LoRA's update into its base projection's output) with no tensor for the product or the
    /// sum, which training would otherwise keep until backward. Returns `y`; its gradient, read by
    /// this step, is left for the step that produced `y`.
    ///
    /// The same bits as `add(y, linear(x, weight))` in `reproducible` and `bf16` numerics while
    /// `in ≤ ATTUNE_GEMM_KC`: the product is one K block, and the GEMM's accumulating store rounds
    /// `y + Σ` once, as the add does. Wider inputs (more K blocks, each rounded into `y` in turn)
    /// take the unfused path and return a new tensor.
    public func addLinear(into y: Tensor, _ x: Tensor, _ weight: Tensor) -> Tensor {
        precondition(weight.rank == 2 && x.columns == weight.shape[1] && y.rows == x.rows && y.columns == weight.shape[0],
                     "addLinear: \(y.shape) += \(x.shape) · \(weight.shape)ᵀ does not fit")
        let m = x.rows, k = x.columns, n = weight.shape[0]
        guard MatmulKernel.fusesAddLinear(k: k) else { return add(y, linear(x, weight)) }
        MatmulKernel.forward(x.pointer, weight.pointer, y.pointer, m: m, n: n, k: k, transB: true, beta: 1, frozenB: !weight.requiresGrad)
        recordLinearBackward(y, x, weight, keepsGradient: true)
        return y
    }
}
