import TensorCore

/// `y = x · Wᵀ` for a frozen weight that is stored compressed (GGUF blocks, NF4) and expanded to
/// float32 `[out, in]` by `dequantize` only while needed: once in forward, and again in backward
/// for `dx += dy · W`, so a recorded step keeps no float32 copy of the weight alive.
func frozenProjection(_ x: Tensor, outFeatures n: Int, tape: Tape, dequantize: @escaping () -> Tensor) -> Tensor {
    let (m, k) = (x.rows, x.columns)
    let y = Tensor(zeros: Array(x.shape.dropLast()) + [n])
    let w = dequantize()
    precondition(w.shape == [n, k], "frozen projection: weight \(w.shape) does not map \(k) inputs to \(n) outputs")
    MatmulKernel.forward(x.pointer, w.pointer, y.pointer, m: m, n: n, k: k, transB: true)
    withExtendedLifetime(w) {}
    if tape.needsGrad(x) {
        tape.record(y) { [unowned y] in
            guard let g = y.grad else { return }
            let w = dequantize()
            MatmulKernel.backward(dC: g.pointer, a: x.pointer, b: w.pointer, dA: x.ensureGrad().pointer, dB: nil,
                                  m: m, n: n, k: k, transB: true)
            withExtendedLifetime(w) {}
        }
    }
    return y
}
