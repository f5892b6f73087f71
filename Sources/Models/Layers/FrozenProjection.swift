import Foundation
import TensorCore

/// `y = x · Wᵀ` for a frozen weight that is stored compressed (GGUF blocks, NF4) and expanded to
/// float32 `[out, in]` by `dequantize` only while needed: once in forward, and again in backward
/// for `dx += dy · W`, so a recorded step keeps no float32 copy of the weight alive. The expansion
/// goes into a reused scratch buffer (`WeightScratch`), so the pages are not faulted in and zeroed
/// again for every projection. Both products are a frozen weight's: `bf16` numerics runs them in
/// bfloat16 (`BF16Products`), from the layer's `bf16Cache` when it has one (the weight expanded,
/// rounded and packed once instead of per product: the same bits).
func frozenProjection(_ x: Tensor, outFeatures n: Int, tape: Tape, bf16Cache: BF16WeightCache? = nil,
                      dequantize: @escaping (UnsafeMutablePointer<Float>) -> Void) -> Tensor {
    let (m, k) = (x.rows, x.columns)
    let y = Tensor(uninitialized: Array(x.shape.dropLast()) + [n])
    let packed = bf16Cache?.packing(outFeatures: n, inFeatures: k, weight: dequantize)
    if let packed {
        packed.forward(x.pointer, y.pointer, rows: m)
    } else {
        WeightScratch.shared.withBuffer(count: n * k) { w in
            dequantize(w)
            MatmulKernel.forward(x.pointer, w, y.pointer, m: m, n: n, k: k, transB: true, frozenB: true)
        }
    }
    if tape.needsGrad(x) {
        tape.record(y) { [unowned y] in
            guard let g = y.grad else { return }
            if let packed, packed.isCurrent, Numerics.mode == .bf16 {
                packed.accumulateInputGradient(g.pointer, into: x.ensureGrad().pointer, rows: m)
                return
            }
            WeightScratch.shared.withBuffer(count: n * k) { w in
                dequantize(w)
                MatmulKernel.backward(dC: g.pointer, a: x.pointer, b: w, dA: x.ensureGrad().pointer, dB: nil,
                                      m: m, n: n, k: k, transB: true, frozenB: true)
            }
        }
    }
    return y
}

/// One float buffer reused by every frozen projection for its dequantized weight. Sized to the
/// largest weight up to `limit` floats (16 MB; SmolLM2's largest projection is 3.5 MB); larger
/// weights (a 49152-wide output head) and a caller that finds the buffer in use (another thread)
/// get a temporary allocation instead.
final class WeightScratch: @unchecked Sendable {
    static let shared = WeightScratch()
    static let limit = 4 << 20

    private let lock = NSLock()
    private var buffer: UnsafeMutablePointer<Float>?
    private var capacity = 0

    func withBuffer(count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) {
        guard count <= Self.limit, lock.try() else {
            let temporary = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            TensorMemory.allocated(count * MemoryLayout<Float>.stride)
            defer { temporary.deallocate(); TensorMemory.freed(count * MemoryLayout<Float>.stride) }
            body(temporary)
            return
        }
        defer { lock.unlock() }
        if capacity < count {
            buffer?.deallocate()
            buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
            TensorMemory.freed(capacity * MemoryLayout<Float>.stride)
            TensorMemory.allocated(count * MemoryLayout<Float>.stride)
            capacity = count
        }
        body(buffer!)
    }
}
