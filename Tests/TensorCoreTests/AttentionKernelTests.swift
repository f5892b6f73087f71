import CKernels
import XCTest
@testable import TensorCore

final class AttentionKernelTests: XCTestCase {
    /// Direct attention: for every (b, h, t) a softmax over visible keys, then a weighted sum.
    func naive(q: [Double], k: [Double], v: [Double], s: AttentionKernel.Shape) -> [Double] {
        var out = [Double](repeating: 0, count: q.count)
        let scale = 1 / Double(s.headDim).squareRoot()
        for b in 0..<s.batch { for h in 0..<s.heads { for t in 0..<s.queryTokens {
            let kvh = h / s.group
            let visible = s.offset + t + 1
            var scores = [Double]()
            for j in 0..<visible {
                var dot = 0.0
                for e in 0..<s.headDim {
                    dot += q[((b * s.queryTokens + t) * s.heads + h) * s.headDim + e] * k[((b * s.keyTokens + j) * s.kvHeads + kvh) * s.headDim + e]
                }
                scores.append(dot * scale)
            }
            let m = scores.max()!
            let z = scores.reduce(0) { $0 + Foundation.exp($1 - m) }
            for e in 0..<s.headDim {
                var acc = 0.0
                for j in 0..<visible { acc += Foundation.exp(scores[j] - m) / z * v[((b * s.keyTokens + j) * s.kvHeads + kvh) * s.headDim + e] }
                out[((b * s.queryTokens + t) * s.heads + h) * s.headDim + e] = acc
            }
        } } }
        return out
    }

    func forward(_ x: [[Double]], _ s: AttentionKernel.Shape) -> [Double] {
        let q = Buffer(x[0]), k = Buffer(x[1]), v = Buffer(x[2])
        let out = Buffer(repeating: 0.0, count: x[0].count)
        AttentionKernel.forward(q: q.pointer, k: k.pointer, v: v.pointer, out: out.pointer, shape: s)
        return out.array
    }

    let shapes: [AttentionKernel.Shape] = [
        .init(batch: 1, queryTokens: 1, keyTokens: 1, heads: 1, kvHeads: 1, headDim: 4),
        .init(batch: 2, queryTokens: 5, keyTokens: 5, heads: 4, kvHeads: 2, headDim: 3),   // GQA 2:1, odd D
        .init(batch: 1, queryTokens: 7, keyTokens: 7, heads: 6, kvHeads: 2, headDim: 5),   // GQA 3:1
        .init(batch: 2, queryTokens: 3, keyTokens: 3, heads: 3, kvHeads: 3, headDim: 2),   // plain MHA
        .init(batch: 1, queryTokens: 2, keyTokens: 6, heads: 4, kvHeads: 1, headDim: 4),   // MQA with a KV-cache offset
        // Few and more query rows against a longer cache (an offset).
        .init(batch: 1, queryTokens: 4, keyTokens: 9, heads: 6, kvHeads: 3, headDim: 5),
        .init(batch: 2, queryTokens: 5, keyTokens: 8, heads: 2, kvHeads: 1, headDim: 3),
    ]

    func testForwardMatchesNaiveAttention() {
        for (i, s) in shapes.enumerated() {
            let q = randomDoubles(s.batch * s.queryTokens * s.heads * s.headDim, seed: UInt64(i))
            let k = randomDoubles(s.batch * s.keyTokens * s.kvHeads * s.headDim, seed: UInt64(i + 10))
            let v = randomDoubles(s.batch * s.keyTokens * s.kvHeads * s.headDim, seed: UInt64(i + 20))
            assertClose(forward([q, k, v], s), naive(q: q, k: k, v: v, s: s), atol: 1e-12, "shape \(s)")
        }
    }

    /// The inference kernel (`directForward`, `attune_attention_rows`) in float against the double
    /// reference, on its vector and portable paths: head sizes around and past the 8-lane and
    /// 64-column blocks, key counts that are not multiples of 4, more query rows than one work
    /// item, and a KV-cache offset.
    func testDirectForwardMatchesNaiveAttentionOnEitherPath() {
        defer { attune_kernel_force_path(-1) }
        attune_quant_force_portable(0)
        let paths = attune_quant_is_vectorized() == 1 ? [false, true] : [true]
        let directShapes: [AttentionKernel.Shape] = shapes + [
            .init(batch: 1, queryTokens: 37, keyTokens: 37, heads: 6, kvHeads: 2, headDim: 64),
            .init(batch: 2, queryTokens: 19, keyTokens: 26, heads: 3, kvHeads: 1, headDim: 72),
            .init(batch: 1, queryTokens: 1, keyTokens: 23, heads: 2, kvHeads: 2, headDim: 130),
            .init(batch: 1, queryTokens: 17, keyTokens: 17, heads: 4, kvHeads: 4, headDim: 12),
        ]
        for portable in paths {
            attune_quant_force_portable(portable ? 1 : 0)
            for (i, s) in directShapes.enumerated() {
                let q = randomDoubles(s.batch * s.queryTokens * s.heads * s.headDim, seed: UInt64(60 + i))
                let k = randomDoubles(s.batch * s.keyTokens * s.kvHeads * s.headDim, seed: UInt64(70 + i))
                let v = randomDoubles(k.count, seed: UInt64(80 + i))
                let qf = Buffer(q.map(Float.init)), kf = Buffer(k.map(Float.init)), vf = Buffer(v.map(Float.init))
                let out = Buffer(repeating: Float.nan, count: q.count)
                AttentionKernel.directForward(q: qf.pointer, k: kf.pointer, v: vf.pointer, out: out.pointer, shape: s)
                assertClose(out.array.map(Double.init), naive(q: q, k: k, v: v, s: s), atol: 2e-6, "portable=\(portable) shape \(s)")
            }
        }
    }

    /// `attune_attention_rows` gives the same bits on the portable and the vector path: head sizes
    /// from 1 to past two 64-column blocks (so every split into 64-, 8- and 1-column pieces), key
    /// counts around the four-key groups, strides that misalign the rows, and a KV-cache offset.
    func testAttentionRowsGiveTheSameBitsOnEveryPath() {
        defer { attune_kernel_force_path(-1) }
        let (portable, avx2) = (Int32(ATTUNE_PATH_PORTABLE), Int32(ATTUNE_PATH_AVX2))
        guard attune_kernel_best_path() >= avx2 else { return }
        var rng = RandomGenerator(seed: 5)
        for trial in 0..<220 {
            let d = trial < 140 ? trial + 1 : 1 + rng.nextInt(below: 200)
            let tk = 1 + rng.nextInt(below: trial % 5 == 0 ? 300 : 40), tq = 1 + rng.nextInt(below: tk)
            let kvStride = d + rng.nextInt(below: 3), qStride = d + rng.nextInt(below: 3), outStride = d + rng.nextInt(below: 3)
            let scale = rng.uniform(0.5, 4) / Float(d).squareRoot()
            let q = Buffer((0..<(tq * qStride)).map { _ in rng.uniform(-1, 1) })
            let k = Buffer((0..<(tk * kvStride)).map { _ in rng.uniform(-1, 1) })
            let v = Buffer((0..<(tk * kvStride)).map { _ in rng.uniform(-1, 1) })
            let first = rng.nextInt(below: tq), rows = 1 + rng.nextInt(below: tq - first)
            var results = [[UInt32]]()
            for path in [portable, avx2] {
                attune_kernel_force_path(path)
                let out = Buffer(repeating: Float(0), count: tq * outStride)
                let scores = Buffer(repeating: Float(0), count: tk)
                attune_attention_rows(q.pointer, qStride, k.pointer, v.pointer, kvStride, out.pointer, outStride,
                                      rows, first, tq, tk, d, scale, scores.pointer)
                results.append(out.array.map(\.bitPattern))
            }
            XCTAssertEqual(results[0], results[1], "d \(d), tk \(tk), tq \(tq), rows \(first)..<\(first + rows)")
        }
    }

    func testCausalityFutureKeysDoNotChangeEarlierOutputs() {
        let s = shapes[1]
        let q = randomDoubles(s.batch * s.queryTokens * s.heads * s.headDim, seed: 1)
        var k = randomDoubles(s.batch * s.keyTokens * s.kvHeads * s.headDim, seed: 2)
        var v = randomDoubles(k.count, seed: 3)
        let before = forward([q, k, v], s)
        // Change the last token's key and value in every batch row.
        for b in 0..<s.batch { for e in 0..<(s.kvHeads * s.headDim) {
            k[((b * s.keyTokens + s.keyTokens - 1) * s.kvHeads * s.headDim) + e] += 5
            v[((b * s.keyTokens + s.keyTokens - 1) * s.kvHeads * s.headDim) + e] -= 5
        } }
        let after = forward([q, k, v], s)
        let perToken = s.heads * s.headDim
        for b in 0..<s.batch { for t in 0..<(s.queryTokens - 1) { for e in 0..<perToken {
            XCTAssertEqual(before[(b * s.queryTokens + t) * perToken + e], after[(b * s.queryTokens + t) * perToken + e])
        } } }
    }

    /// Backward needs nothing from forward (it recomputes each head's probabilities), so it is
    /// called here on its own.
    func testBackwardMatchesFiniteDifferencesWithGroupedHeads() {
        for (i, s) in shapes.enumerated() {
            let q = randomDoubles(s.batch * s.queryTokens * s.heads * s.headDim, seed: UInt64(30 + i))
            let k = randomDoubles(s.batch * s.keyTokens * s.kvHeads * s.headDim, seed: UInt64(40 + i))
            let v = randomDoubles(k.count, seed: UInt64(50 + i))
            assertGradients([q, k, v], forward: { self.forward($0, s) }) { dy, x in
                let qb = Buffer(x[0]), kb = Buffer(x[1]), vb = Buffer(x[2])
                let g = Buffer(dy)
                let dq = Buffer(repeating: 0.0, count: x[0].count), dk = Buffer(repeating: 0.0, count: x[1].count), dv = Buffer(repeating: 0.0, count: x[2].count)
                AttentionKernel.backward(dout: g.pointer, q: qb.pointer, k: kb.pointer, v: vb.pointer,
                                         dq: dq.pointer, dk: dk.pointer, dv: dv.pointer, shape: s)
                return [dq.array, dk.array, dv.array]
            }
        }
    }
}

import Foundation
