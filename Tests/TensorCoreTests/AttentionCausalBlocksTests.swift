import CKernels
import XCTest
@testable import TensorCore

/// The training attention skips the masked upper triangle in blocks of `causalBlockRows` query
/// rows (`AttentionKernel.causalBlocks`). It must give the bits of the unblocked products — one
/// `Tq × Tk` GEMM per product, as the kernel ran before — on every vector path, for sequences that
/// are not a multiple of the block (600 = 256 + 256 + 88), exactly two blocks, one past a block,
/// and one block (unchanged).
final class AttentionCausalBlocksTests: XCTestCase {
    /// One head's probabilities over the whole `Tq × Tk` square (zeros past each row's limit).
    func fullProbabilities(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, b: Int, head: Int, p: UnsafeMutablePointer<Float>,
                           _ s: AttentionKernel.Shape) {
        let (tq, tk, h, kh, d) = (s.queryTokens, s.keyTokens, s.heads, s.kvHeads, s.headDim)
        Float.gemm(transA: false, transB: true, m: tq, n: tk, k: d, alpha: 1 / Float(d).squareRoot(), a: q + (b * tq * h + head) * d, lda: h * d,
                   b: k + (b * tk * kh + head / s.group) * d, ldb: kh * d, beta: 0, c: p, ldc: tk)
        for t in 0..<tq {
            let row = p + t * tk, visible = s.offset + t + 1
            SoftmaxKernel.rowSoftmax(row, row, count: visible)
            for j in visible..<tk { row[j] = 0 }
        }
    }

    func unblockedForward(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                          _ s: AttentionKernel.Shape) {
        let (tq, tk, h, kh, d) = (s.queryTokens, s.keyTokens, s.heads, s.kvHeads, s.headDim)
        let p = Buffer(repeating: Float(0), count: tq * tk)
        for unit in 0..<(s.batch * h) {
            let b = unit / h, head = unit % h
            fullProbabilities(q, k, b: b, head: head, p: p.pointer, s)
            Float.gemm(transA: false, transB: false, m: tq, n: d, k: tk, alpha: 1, a: p.pointer, lda: tk,
                       b: v + (b * tk * kh + head / s.group) * d, ldb: kh * d, beta: 0, c: out + (b * tq * h + head) * d, ldc: h * d)
        }
    }

    func unblockedBackward(_ dout: UnsafePointer<Float>, _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                           _ dq: UnsafeMutablePointer<Float>, _ dk: UnsafeMutablePointer<Float>, _ dv: UnsafeMutablePointer<Float>,
                           _ s: AttentionKernel.Shape) {
        let (tq, tk, h, kh, d) = (s.queryTokens, s.keyTokens, s.heads, s.kvHeads, s.headDim)
        let scale = 1 / Float(d).squareRoot()
        let p = Buffer(repeating: Float(0), count: tq * tk), dp = Buffer(repeating: Float(0), count: tq * tk)
        for unit in 0..<(s.batch * kh) {
            let b = unit / kh, kvHead = unit % kh
            let kp = k + (b * tk * kh + kvHead) * d, vp = v + (b * tk * kh + kvHead) * d
            for head in (kvHead * s.group)..<((kvHead + 1) * s.group) {
                let qp = q + (b * tq * h + head) * d, gp = dout + (b * tq * h + head) * d
                fullProbabilities(q, k, b: b, head: head, p: p.pointer, s)
                Float.gemm(transA: false, transB: true, m: tq, n: tk, k: d, alpha: 1, a: gp, lda: h * d, b: vp, ldb: kh * d, beta: 0, c: dp.pointer, ldc: tk)
                Float.gemm(transA: true, transB: false, m: tk, n: d, k: tq, alpha: 1, a: p.pointer, lda: tk, b: gp, ldb: h * d, beta: 1,
                           c: dv + (b * tk * kh + kvHead) * d, ldc: kh * d)
                for t in 0..<tq {
                    let pr = p.pointer + t * tk, dr = dp.pointer + t * tk
                    var dot: Float = 0
                    for j in 0..<tk { dot += pr[j] * dr[j] }
                    for j in 0..<tk { dr[j] = pr[j] * (dr[j] - dot) }
                }
                Float.gemm(transA: false, transB: false, m: tq, n: d, k: tk, alpha: scale, a: dp.pointer, lda: tk, b: kp, ldb: kh * d, beta: 1,
                           c: dq + (b * tq * h + head) * d, ldc: h * d)
                Float.gemm(transA: true, transB: false, m: tk, n: d, k: tq, alpha: scale, a: dp.pointer, lda: tk, b: qp, ldb: h * d, beta: 1,
                           c: dk + (b * tk * kh + kvHead) * d, ldc: kh * d)
            }
        }
    }

    func testBlockedAttentionHasTheBitsOfTheUnblockedProducts() {
        guard Numerics.mode.isReproducible else { return }  // OpenBLAS's sums depend on the shape
        defer { attune_kernel_force_path(-1) }
        let best = Int32(attune_kernel_best_path())
        let all: [Int32] = [Int32(ATTUNE_PATH_PORTABLE), Int32(ATTUNE_PATH_AVX2), Int32(ATTUNE_PATH_AVX512)]
        let paths = all.filter { $0 <= best }
        let shapes: [AttentionKernel.Shape] = [
            .init(batch: 2, queryTokens: 600, keyTokens: 600, heads: 4, kvHeads: 2, headDim: 16),
            .init(batch: 1, queryTokens: 512, keyTokens: 512, heads: 3, kvHeads: 1, headDim: 8),
            .init(batch: 1, queryTokens: 257, keyTokens: 257, heads: 2, kvHeads: 2, headDim: 12),
            .init(batch: 1, queryTokens: 200, keyTokens: 200, heads: 2, kvHeads: 1, headDim: 8),
        ]
        XCTAssertEqual(AttentionKernel.causalBlocks(shapes[0]).map(\.rows), [0..<256, 256..<512, 512..<600])
        XCTAssertEqual(AttentionKernel.causalBlocks(shapes[0]).map(\.keys), [256, 512, 600])
        for path in paths {
            attune_kernel_force_path(path)
            for (i, s) in shapes.enumerated() {
                let qCount = s.batch * s.queryTokens * s.heads * s.headDim, kCount = s.batch * s.keyTokens * s.kvHeads * s.headDim
                let q = Buffer(randomDoubles(qCount, seed: UInt64(10 + i)).map(Float.init))
                let k = Buffer(randomDoubles(kCount, seed: UInt64(20 + i), scale: 3).map(Float.init))
                let v = Buffer(randomDoubles(kCount, seed: UInt64(30 + i)).map(Float.init))
                let g = Buffer(randomDoubles(qCount, seed: UInt64(40 + i)).map(Float.init))
                let out = Buffer(repeating: Float.nan, count: qCount), expected = Buffer(repeating: Float.nan, count: qCount)
                AttentionKernel.forward(q: q.pointer, k: k.pointer, v: v.pointer, out: out.pointer, shape: s)
                unblockedForward(q.pointer, k.pointer, v.pointer, expected.pointer, s)
                XCTAssertEqual(out.array.map(\.bitPattern), expected.array.map(\.bitPattern), "forward, path \(path), shape \(s)")

                let grads = (0..<2).map { _ in (Buffer(repeating: Float(0), count: qCount), Buffer(repeating: Float(0), count: kCount),
                                                Buffer(repeating: Float(0), count: kCount)) }
                AttentionKernel.backward(dout: g.pointer, q: q.pointer, k: k.pointer, v: v.pointer,
                                         dq: grads[0].0.pointer, dk: grads[0].1.pointer, dv: grads[0].2.pointer, shape: s)
                unblockedBackward(g.pointer, q.pointer, k.pointer, v.pointer, grads[1].0.pointer, grads[1].1.pointer, grads[1].2.pointer, s)
                for (name, a, b) in [("dq", grads[0].0, grads[1].0), ("dk", grads[0].1, grads[1].1), ("dv", grads[0].2, grads[1].2)] {
                    XCTAssertEqual(a.array.map(\.bitPattern), b.array.map(\.bitPattern), "\(name), path \(path), shape \(s)")
                    XCTAssertTrue(a.array.contains { $0 != 0 }, "\(name) is all zero")
                }
            }
        }
    }
}
