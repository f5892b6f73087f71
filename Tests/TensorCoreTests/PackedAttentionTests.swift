import XCTest
@testable import TensorCore

/// Packed rows (`PackedSequences`): the block-diagonal causal attention against its definition,
/// forward and backward, padding that neither attends nor is attended, and the bits of a segment
/// equal to those of the same tokens in a row of their own.
final class PackedAttentionTests: XCTestCase {
    /// Row 0: segments of 3 and 2 tokens, then a padding token; row 1: one segment of 4 tokens
    /// after two padding tokens (padding may sit anywhere), the first id again after a gap would
    /// be refused.
    let ids = [0, 0, 0, 1, 1, -1,
               -1, -1, 0, 0, 0, 0]

    func testSegmentsAndPositionsRestartAtEachExample() {
        let p = PackedSequences(segmentIDs: ids, rows: 2)
        XCTAssertEqual(p.rows, 2)
        XCTAssertEqual(p.tokens, 6)
        XCTAssertEqual(p.segments.map { [$0.row, $0.start, $0.count] }, [[0, 0, 3], [0, 3, 2], [1, 2, 4]])
        XCTAssertEqual(p.positions, [0, 1, 2, 0, 1, 0,
                                     0, 0, 0, 1, 2, 3])
        XCTAssertTrue(p.attends(row: 0, query: 4, key: 3))
        XCTAssertFalse(p.attends(row: 0, query: 3, key: 2), "no attention across examples")
        XCTAssertFalse(p.attends(row: 0, query: 3, key: 4), "causal")
        XCTAssertFalse(p.attends(row: 0, query: 5, key: 5), "padding attends to nothing")
        XCTAssertFalse(p.attends(row: 1, query: 2, key: 1), "nothing attends to padding")
        let second = p.row(1)
        XCTAssertEqual(second.segments.map { [$0.row, $0.start, $0.count] }, [[0, 2, 4]])
        XCTAssertEqual(second.positions, Array(p.positions[6...]))
    }

    /// The definition: query `(b, t)` of a segment sees keys `start ≤ j ≤ t` of that segment;
    /// padding queries give 0.
    func naive(q: [Double], k: [Double], v: [Double], s: AttentionKernel.Shape, packing: PackedSequences) -> [Double] {
        var out = [Double](repeating: 0, count: q.count)
        let scale = 1 / Double(s.headDim).squareRoot()
        let (t, h, kh, d) = (s.queryTokens, s.heads, s.kvHeads, s.headDim)
        for b in 0..<s.batch { for head in 0..<h { for i in 0..<t {
            let keys = (0..<t).filter { packing.attends(row: b, query: i, key: $0) }
            guard !keys.isEmpty else { continue }
            let scores = keys.map { j in
                (0..<d).reduce(0.0) { $0 + q[((b * t + i) * h + head) * d + $1] * k[((b * t + j) * kh + head / s.group) * d + $1] } * scale
            }
            let m = scores.max()!
            let z = scores.reduce(0) { $0 + Foundation.exp($1 - m) }
            for e in 0..<d {
                out[((b * t + i) * h + head) * d + e] = zip(keys, scores).reduce(0.0) {
                    $0 + Foundation.exp($1.1 - m) / z * v[((b * t + $1.0) * kh + head / s.group) * d + e]
                }
            }
        } } }
        return out
    }

    let shape = AttentionKernel.Shape(batch: 2, queryTokens: 6, keyTokens: 6, heads: 4, kvHeads: 2, headDim: 3)

    func packedForward(_ x: [[Double]], _ packing: PackedSequences) -> [Double] {
        let q = Buffer(x[0]), k = Buffer(x[1]), v = Buffer(x[2])
        let out = Buffer(repeating: 0.0, count: x[0].count)
        AttentionKernel.forward(q: q.pointer, k: k.pointer, v: v.pointer, out: out.pointer, shape: shape, packing: packing)
        return out.array
    }

    func testPackedForwardIsBlockDiagonalCausalAttention() {
        let packing = PackedSequences(segmentIDs: ids, rows: 2)
        let q = randomDoubles(2 * 6 * 4 * 3, seed: 1), k = randomDoubles(2 * 6 * 2 * 3, seed: 2), v = randomDoubles(2 * 6 * 2 * 3, seed: 3)
        let out = packedForward([q, k, v], packing)
        assertClose(out, naive(q: q, k: k, v: v, s: shape, packing: packing), atol: 1e-12)
        let perToken = 4 * 3
        XCTAssertEqual(Array(out[(5 * perToken)..<(8 * perToken)]), [Double](repeating: 0, count: 3 * perToken), "padding rows stay 0")
    }

    func testPackedBackwardMatchesFiniteDifferences() {
        let packing = PackedSequences(segmentIDs: ids, rows: 2)
        let q = randomDoubles(2 * 6 * 4 * 3, seed: 4), k = randomDoubles(2 * 6 * 2 * 3, seed: 5), v = randomDoubles(2 * 6 * 2 * 3, seed: 6)
        assertGradients([q, k, v], forward: { self.packedForward($0, packing) }) { dy, x in
            let qb = Buffer(x[0]), kb = Buffer(x[1]), vb = Buffer(x[2]), g = Buffer(dy)
            let dq = Buffer(repeating: 0.0, count: x[0].count), dk = Buffer(repeating: 0.0, count: x[1].count), dv = Buffer(repeating: 0.0, count: x[2].count)
            AttentionKernel.backward(dout: g.pointer, q: qb.pointer, k: kb.pointer, v: vb.pointer,
                                     dq: dq.pointer, dk: dk.pointer, dv: dv.pointer, shape: self.shape, packing: packing)
            return [dq.array, dk.array, dv.array]
        }
    }

    /// In reproducible numerics a segment of a packed row computes the bits its tokens get at the
    /// start of a row of their own (followed by padding, as an unpacked batch pads), forward and
    /// backward, for segments shorter and longer than one K block (256) of the GEMMs.
    func testASegmentHasTheBitsOfItsTokensInARowOfTheirOwn() {
        Numerics.with(.reproducible) {
            let (h, kh, d) = (3, 1, 8)
            for (lengths, alone) in [([37, 20, 9], 40), ([300, 12], 310)] {
                let total = lengths.reduce(0, +) + 3   // three padding tokens at the end
                let segmentIDs = lengths.enumerated().flatMap { Array(repeating: $0.offset, count: $0.element) } + [-1, -1, -1]
                let packing = PackedSequences(segmentIDs: segmentIDs, rows: 1)
                var rng = RandomGenerator(seed: UInt64(total))
                let q = (0..<(total * h * d)).map { _ in rng.uniform(-2, 2) }
                let k = (0..<(total * kh * d)).map { _ in rng.uniform(-2, 2) }
                let v = (0..<(total * kh * d)).map { _ in rng.uniform(-1, 1) }
                let dout = (0..<(total * h * d)).map { _ in rng.uniform(-1, 1) }
                let packedShape = AttentionKernel.Shape(batch: 1, queryTokens: total, keyTokens: total, heads: h, kvHeads: kh, headDim: d)
                let out = Buffer(repeating: Float.nan, count: q.count)
                let (dq, dk, dv) = (Buffer(repeating: Float(0), count: q.count), Buffer(repeating: Float(0), count: k.count),
                                    Buffer(repeating: Float(0), count: v.count))
                AttentionKernel.forward(q: Buffer(q).pointer, k: Buffer(k).pointer, v: Buffer(v).pointer, out: out.pointer,
                                        shape: packedShape, packing: packing)
                AttentionKernel.backward(dout: Buffer(dout).pointer, q: Buffer(q).pointer, k: Buffer(k).pointer, v: Buffer(v).pointer,
                                         dq: dq.pointer, dk: dk.pointer, dv: dv.pointer, shape: packedShape, packing: packing)
                for segment in packing.segments {
                    let n = segment.count
                    // The segment's rows at the start of a row of `max(alone, n)`, padded with other values (and a
                    // zero gradient, as padding gets), under the plain causal mask.
                    let width = max(alone, n)
                    func own(_ x: [Float], _ perToken: Int, pad: Float) -> [Float] {
                        Array(x[(segment.start * perToken)..<((segment.start + n) * perToken)]) + [Float](repeating: pad, count: (width - n) * perToken)
                    }
                    let s = AttentionKernel.Shape(batch: 1, queryTokens: width, keyTokens: width, heads: h, kvHeads: kh, headDim: d)
                    let (oq, ok, ov, og) = (Buffer(own(q, h * d, pad: 0.5)), Buffer(own(k, kh * d, pad: -0.5)), Buffer(own(v, kh * d, pad: 0.25)),
                                            Buffer(own(dout, h * d, pad: 0)))
                    let o = Buffer(repeating: Float.nan, count: width * h * d)
                    let (gq, gk, gv) = (Buffer(repeating: Float(0), count: width * h * d), Buffer(repeating: Float(0), count: width * kh * d),
                                        Buffer(repeating: Float(0), count: width * kh * d))
                    AttentionKernel.forward(q: oq.pointer, k: ok.pointer, v: ov.pointer, out: o.pointer, shape: s)
                    AttentionKernel.backward(dout: og.pointer, q: oq.pointer, k: ok.pointer, v: ov.pointer,
                                             dq: gq.pointer, dk: gk.pointer, dv: gv.pointer, shape: s)
                    func bits(_ b: Buffer<Float>, from: Int, _ perToken: Int) -> [UInt32] {
                        Array(b.array[(from * perToken)..<((from + n) * perToken)]).map(\.bitPattern)
                    }
                    let label = "segment \(segment.start)..<\(segment.start + n) of \(lengths)"
                    XCTAssertEqual(bits(out, from: segment.start, h * d), bits(o, from: 0, h * d), "out, \(label)")
                    XCTAssertEqual(bits(dq, from: segment.start, h * d), bits(gq, from: 0, h * d), "dq, \(label)")
                    XCTAssertEqual(bits(dk, from: segment.start, kh * d), bits(gk, from: 0, kh * d), "dk, \(label)")
                    XCTAssertEqual(bits(dv, from: segment.start, kh * d), bits(gv, from: 0, kh * d), "dv, \(label)")
                }
                let padding = (total - 3) * h * d
                XCTAssertTrue(out.array[padding...].allSatisfy(\.isNaN), "padding rows are not written (the tape's output starts at 0)")
                XCTAssertTrue(dk.array[((total - 3) * kh * d)...].allSatisfy { $0 == 0 }, "no gradient reaches padding keys")
            }
        }
    }
}
