import XCTest
@testable import TensorCore

/// In `bf16` numerics attention's products run in bfloat16 (`KernelScalar.attentionGEMM`), as
/// PyTorch's autocast runs scaled dot-product attention: forward and backward give the same bits on
/// every bf16 path this CPU runs (the portable emulation and AVX512_BF16), differ from fp32's, and
/// stay within bfloat16 rounding of them.
final class BF16AttentionTests: XCTestCase {
    override func tearDown() { Numerics.forceKernelPath(nil) }

    struct Result { var out, dq, dk, dv: [Float] }

    func run(_ s: AttentionKernel.Shape, seed: UInt64) -> Result {
        let qCount = s.batch * s.queryTokens * s.heads * s.headDim, kCount = s.batch * s.keyTokens * s.kvHeads * s.headDim
        let q = Buffer(randomDoubles(qCount, seed: seed).map(Float.init))
        let k = Buffer(randomDoubles(kCount, seed: seed + 1, scale: 3).map(Float.init))
        let v = Buffer(randomDoubles(kCount, seed: seed + 2).map(Float.init))
        let g = Buffer(randomDoubles(qCount, seed: seed + 3).map(Float.init))
        let out = Buffer(repeating: Float.nan, count: qCount)
        let (dq, dk, dv) = (Buffer(repeating: Float(0), count: qCount), Buffer(repeating: Float(0), count: kCount),
                            Buffer(repeating: Float(0), count: kCount))
        AttentionKernel.forward(q: q.pointer, k: k.pointer, v: v.pointer, out: out.pointer, shape: s)
        AttentionKernel.backward(dout: g.pointer, q: q.pointer, k: k.pointer, v: v.pointer,
                                 dq: dq.pointer, dk: dk.pointer, dv: dv.pointer, shape: s)
        return Result(out: out.array, dq: dq.array, dk: dk.array, dv: dv.array)
    }

    func testBF16AttentionHasTheSameBitsOnEveryPathAndStaysNearFP32() throws {
        // Two causal blocks (300 = 256 + 44), grouped-query heads, a head size that is not a multiple of 32.
        let s = AttentionKernel.Shape(batch: 2, queryTokens: 300, keyTokens: 300, heads: 4, kvHeads: 2, headDim: 24)
        let fp32 = Numerics.with(.reproducible) { run(s, seed: 5) }
        var first: Result?
        for path in Numerics.KernelPath.allCases.filter({ $0 <= .best }) {
            Numerics.forceKernelPath(path)
            let bf16 = Numerics.with(.bf16) { run(s, seed: 5) }
            if let first {
                for (name, a, b) in [("out", bf16.out, first.out), ("dq", bf16.dq, first.dq), ("dk", bf16.dk, first.dk), ("dv", bf16.dv, first.dv)] {
                    XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "\(name) on path \(path) differs from the first path's")
                }
            } else {
                first = bf16
            }
            for (name, a, b) in [("out", bf16.out, fp32.out), ("dq", bf16.dq, fp32.dq), ("dk", bf16.dk, fp32.dk), ("dv", bf16.dv, fp32.dv)] {
                XCTAssertNotEqual(a.map(\.bitPattern), b.map(\.bitPattern), "\(name): bf16 numerics gave fp32's bits")
                // bfloat16 keeps 8 significant bits (relative rounding 2^-9 per operand): relative
                // to the tensor's largest value the results stay within a few times that.
                let scale = b.map { abs($0) }.max()!
                let worst = zip(a, b).map { abs($0 - $1) }.max()!
                XCTAssertLessThan(worst / scale, 2e-2, "\(name) on path \(path): bf16 is \(worst) from fp32 (largest \(scale))")
            }
        }
    }
}
