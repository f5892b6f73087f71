import XCTest
@testable import TensorCore

/// `AttentionKernel.forEachUnit`: in Attune's GEMM (`reproducible`, `bf16`) attention's
/// `(batch, head)` units run on all the pool's threads at once; each must give the bits it gives
/// when the units run one after another on one thread — forward, backward (three gradients
/// accumulated into non-zero buffers), with two causal blocks and with packed rows.
final class AttentionUnitsTests: XCTestCase {
    /// Two causal blocks (`causalBlockRows` is 252), grouped heads, an odd head size.
    let shape = AttentionKernel.Shape(batch: 2, queryTokens: 300, keyTokens: 300, heads: 6, kvHeads: 2, headDim: 20)

    func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<count).map { _ in rng.uniform(-1, 1) }
    }

    func inputs() -> (q: [Float], k: [Float], v: [Float], dout: [Float]) {
        let qCount = shape.batch * shape.queryTokens * shape.heads * shape.headDim
        let kvCount = shape.batch * shape.keyTokens * shape.kvHeads * shape.headDim
        return (values(qCount, seed: 1), values(kvCount, seed: 2), values(kvCount, seed: 3), values(qCount, seed: 4))
    }

    /// Forward and backward through the public entry points (units in parallel where the pool
    /// has several threads) and through the units one after another, in `mode`.
    func compare(_ mode: NumericsMode, packing: PackedSequences? = nil, file: StaticString = #filePath, line: UInt = #line) {
        Numerics.with(mode) {
            XCTAssertTrue(Float.gemmRunsConcurrently, "Attune's GEMM runs units concurrently in \(mode)", file: file, line: line)
            let (q, k, v, dout) = inputs()
            var parallel = [Float](repeating: 0, count: q.count), serial = parallel
            let dq0 = values(q.count, seed: 5), dk0 = values(k.count, seed: 6), dv0 = values(v.count, seed: 7)
            var (pdq, pdk, pdv) = (dq0, dk0, dv0)
            var (sdq, sdk, sdv) = (dq0, dk0, dv0)
            let s = shape
            let units: [(shape: AttentionKernel.Shape, q: Int, kv: Int)] = packing.map { p in
                p.segments.map { segment in
                    let (qo, ko) = AttentionKernel.segmentOffsets(segment, shape: s)
                    return (AttentionKernel.segmentShape(segment, shape: s), qo, ko)
                }
            } ?? [(s, 0, 0)]
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * s.headProbabilityCount)
            defer { scratch.deallocate() }
            q.withUnsafeBufferPointer { q in k.withUnsafeBufferPointer { k in v.withUnsafeBufferPointer { v in
                dout.withUnsafeBufferPointer { g in
                    let (qp, kp, vp, gp) = (q.baseAddress!, k.baseAddress!, v.baseAddress!, g.baseAddress!)
                    if let packing {
                        AttentionKernel.forward(q: qp, k: kp, v: vp, out: &parallel, shape: s, packing: packing)
                        AttentionKernel.backward(dout: gp, q: qp, k: kp, v: vp, dq: &pdq, dk: &pdk, dv: &pdv, shape: s, packing: packing)
                    } else {
                        AttentionKernel.forward(q: qp, k: kp, v: vp, out: &parallel, shape: s)
                        AttentionKernel.backward(dout: gp, q: qp, k: kp, v: vp, dq: &pdq, dk: &pdk, dv: &pdv, shape: s)
                    }
                    serial.withUnsafeMutableBufferPointer { out in
                        sdq.withUnsafeMutableBufferPointer { dq in sdk.withUnsafeMutableBufferPointer { dk in
                            sdv.withUnsafeMutableBufferPointer { dv in
                                for u in units {
                                    for unit in 0..<(u.shape.batch * s.heads) {
                                        AttentionKernel.forwardUnit(q: qp + u.q, k: kp + u.kv, v: vp + u.kv, out: out.baseAddress! + u.q,
                                                                    shape: u.shape, unit: unit, probabilities: scratch)
                                    }
                                    for unit in 0..<(u.shape.batch * s.kvHeads) {
                                        AttentionKernel.backwardUnit(dout: gp + u.q, q: qp + u.q, k: kp + u.kv, v: vp + u.kv,
                                                                     dq: dq.baseAddress! + u.q, dk: dk.baseAddress! + u.kv,
                                                                     dv: dv.baseAddress! + u.kv, shape: u.shape, unit: unit,
                                                                     probabilities: scratch, gradient: scratch + u.shape.headProbabilityCount)
                                    }
                                }
                            }
                        } }
                    }
                }
            } } }
            XCTAssertTrue(parallel.contains { $0 != 0 }, file: file, line: line)
            XCTAssertEqual(parallel.map(\.bitPattern), serial.map(\.bitPattern), "forward, \(mode)", file: file, line: line)
            XCTAssertEqual(pdq.map(\.bitPattern), sdq.map(\.bitPattern), "dq, \(mode)", file: file, line: line)
            XCTAssertEqual(pdk.map(\.bitPattern), sdk.map(\.bitPattern), "dk, \(mode)", file: file, line: line)
            XCTAssertEqual(pdv.map(\.bitPattern), sdv.map(\.bitPattern), "dv, \(mode)", file: file, line: line)
            XCTAssertNotEqual(pdq, dq0, file: file, line: line)
        }
    }

    func testUnitsInParallelGiveTheBitsOfUnitsOneAfterAnother() {
        compare(.reproducible)
        compare(.bf16)
    }

    /// Packed rows: every segment's heads are units of one loop, longest segment first.
    func testPackedSegmentsInParallelGiveTheBitsOfSegmentsOneAfterAnother() {
        // Row 0: segments of 260 (two causal blocks), 30 and 10 tokens; row 1: 5 tokens of padding,
        // then segments of 200 and 95.
        let ids = Array(repeating: 0, count: 260) + Array(repeating: 1, count: 30) + Array(repeating: 2, count: 10)
            + Array(repeating: -1, count: 5) + Array(repeating: 0, count: 200) + Array(repeating: 1, count: 95)
        let packing = PackedSequences(segmentIDs: ids, rows: 2)
        XCTAssertEqual(packing.segments.count, 5)
        compare(.reproducible, packing: packing)
        compare(.bf16, packing: packing)
    }

    func testOpenBLASRunsUnitsOneAfterAnother() {
        Numerics.with(.fast) { XCTAssertFalse(Float.gemmRunsConcurrently) }
        XCTAssertFalse(Double.gemmRunsConcurrently)
    }
}
