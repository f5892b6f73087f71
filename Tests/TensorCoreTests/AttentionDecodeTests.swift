import CKernels
import XCTest
@testable import TensorCore

/// `AttentionKernel.decodeForward` (one query token per sequence, pieces of keys and of columns
/// over the threads, a kv head's rows read once for its query heads) against
/// `attune_attention_rows` run head by head: the same bits, on the vector and the portable path,
/// for head sizes around the 8-, 16- and 32-column widths, groups of 1 to 6 heads (past the
/// kernels' 4), and key counts from 1 to past the 32-key runs.
final class AttentionDecodeTests: XCTestCase {
    func testDecodeForwardGivesEachHeadTheBitsOfItsOwnRow() {
        defer { attune_quant_force_portable(-1) }
        attune_quant_force_portable(0)
        let paths = attune_quant_is_vectorized() == 1 ? [false, true] : [true]
        var rng = RandomGenerator(seed: 11)
        for portable in paths {
            attune_quant_force_portable(portable ? 1 : 0)
            for trial in 0..<60 {
                let d = [64, 32, 16, 72, 130, 12, 8, 1, 48, 96][trial % 10]
                let kh = 1 + trial % 3, group = 1 + (trial / 3) % 6, h = kh * group
                let keyTokens = (0..<(1 + trial % 3)).map { _ in 1 + rng.nextInt(below: trial % 4 == 0 ? 300 : 70) }
                let q = keyTokens.map { _ in (0..<(h * d)).map { _ in rng.uniform(-1, 1) } }
                let k = keyTokens.map { tk in (0..<(tk * kh * d)).map { _ in rng.uniform(-1, 1) } }
                let v = keyTokens.map { tk in (0..<(tk * kh * d)).map { _ in rng.uniform(-1, 1) } }
                var out = keyTokens.map { _ in [Float](repeating: .nan, count: h * d) }
                let scale = 1 / Float(d).squareRoot()
                // Every sequence's buffers stay put while decodeForward reads and writes them.
                let qb = q.map(Buffer.init), kb = k.map(Buffer.init), vb = v.map(Buffer.init)
                let ob = out.map(Buffer.init)
                AttentionKernel.decodeForward(keyTokens.indices.map { i in
                    .init(q: qb[i].pointer, k: kb[i].pointer, v: vb[i].pointer, keyTokens: keyTokens[i], out: ob[i].pointer)
                }, heads: h, kvHeads: kh, headDim: d)
                out = ob.map(\.array)
                for (i, tk) in keyTokens.enumerated() {
                    let expected = Buffer(repeating: Float.nan, count: h * d)
                    let scores = Buffer(repeating: Float(0), count: tk)
                    for head in 0..<h {
                        attune_attention_rows(qb[i].pointer + head * d, h * d, kb[i].pointer + head / group * d, vb[i].pointer + head / group * d,
                                              kh * d, expected.pointer + head * d, h * d, 1, 0, 1, tk, d, scale, scores.pointer)
                    }
                    XCTAssertEqual(out[i].map(\.bitPattern), expected.array.map(\.bitPattern),
                                   "portable=\(portable) d \(d), \(h) heads over \(kh), sequence \(i) of \(tk) keys")
                }
            }
        }
    }
}
