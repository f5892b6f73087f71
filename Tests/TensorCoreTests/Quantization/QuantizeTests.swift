import XCTest
@testable import TensorCore

final class QuantizeTests: XCTestCase {
    /// Seeded values with a spread of magnitudes (a few blocks with outliers).
    func sample(_ n: Int, seed: UInt64) -> [Float] {
        var s = seed
        return (0..<n).map { i in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            let u = Float(s >> 40) / Float(1 << 24) * 2 - 1
            return i % 97 == 0 ? u * 8 : u
        }
    }

    func blockStats(_ x: ArraySlice<Float>) -> (amax: Float, lo: Float, hi: Float) {
        (x.map { abs($0) }.max()!, x.min()!, x.max()!)
    }

    func testQ8_0ErrorBound() throws {
        let x = sample(32 * 64, seed: 1)
        let y = try QuantizedMatrix(quantizing: x, rows: 4, cols: 512, type: .q8_0).dequantized()
        for b in 0..<(x.count / 32) {
            let blk = x[(32 * b)..<(32 * b + 32)]
            let d = blockStats(blk).amax / 127
            for i in blk.indices {   // half a step, plus the fp16 rounding of d (≤ 2⁻¹¹ relative, ×127)
                XCTAssertLessThanOrEqual(abs(x[i] - y[i]), d / 2 + 127 * d * 0x1p-11 + 1e-7)
            }
        }
    }

    func testQ4_0ErrorBound() throws {
        let x = sample(32 * 64, seed: 2)
        let y = try QuantizedMatrix(quantizing: x, rows: 2, cols: 1024, type: .q4_0).dequantized()
        for b in 0..<(x.count / 32) {
            let blk = x[(32 * b)..<(32 * b + 32)]
            let d = blockStats(blk).amax / 8
            // one full step at the opposite extreme (−M maps to 7·d), plus fp16 rounding of d
            for i in blk.indices { XCTAssertLessThanOrEqual(abs(x[i] - y[i]), d + 8 * d * 0x1p-11 + 1e-7) }
        }
    }

    func testQ4_1ErrorBound() throws {
        let x = sample(32 * 64, seed: 3)
        let y = try QuantizedMatrix(quantizing: x, rows: 64, cols: 32, type: .q4_1).dequantized()
        for b in 0..<(x.count / 32) {
            let blk = x[(32 * b)..<(32 * b + 32)]
            let st = blockStats(blk)
            let d = (st.hi - st.lo) / 15
            for i in blk.indices {
                XCTAssertLessThanOrEqual(abs(x[i] - y[i]), d / 2 + 15 * d * 0x1p-11 + abs(st.lo) * 0x1p-11 + 1e-7)
            }
        }
    }

    func testHandQuantizedBlocks() {
        // Q8_0 of 0, 1, …, 31 scaled by 0.5: amax 15.5, d = 15.5/127; x = 15.5 → q = 127
        let x = (0..<32).map { Float($0) * 0.5 }
        let q8 = Quantize.bytes(.q8_0, x)
        XCTAssertEqual(q8.count, 34)
        XCTAssertEqual(Int8(bitPattern: q8[2 + 31]), 127)
        XCTAssertEqual(Int8(bitPattern: q8[2]), 0)
        // Q4_0 of a block whose extreme is −8: d = −8/−8 = 1 (0x3C00); x = −8 → q 0, x = 7 → q 15
        var y = [Float](repeating: 0, count: 32)
        y[0] = -8; y[16] = 7; y[1] = 3
        let q4 = Quantize.bytes(.q4_0, y)
        XCTAssertEqual(q4[0], 0x00); XCTAssertEqual(q4[1], 0x3C)          // d = 1.0
        XCTAssertEqual(q4[2], 0xF0)                                        // x0 → 0, x16 → 15
        XCTAssertEqual(q4[3], 0x8B)                                        // x1 = 3 → 11, x17 = 0 → 8
        // Q4_1 of 0…31 / 31 · 15: lo 0, hi 15, d = 1, m = 0 → nibble = round(x)
        let z = (0..<32).map { Float($0) * 15 / 31 }
        let q41 = Quantize.bytes(.q4_1, z)
        XCTAssertEqual(Array(q41[0..<4]), [0x00, 0x3C, 0x00, 0x00])        // d = 1.0, m = 0.0
        XCTAssertEqual(q41[4], 0x80)          // x0 = 0 → 0, x16 = 7.74 → 8
        XCTAssertEqual(q41[4 + 15], 0xF7)     // x15 = 7.26 → 7, x31 = 15 → 15
    }

    func testZeroAndNonFiniteBlocksDoNotTrap() {
        let zeros = [Float](repeating: 0, count: 32)
        for t in [GGMLType.q8_0, .q4_0, .q4_1] {
            let m = try! QuantizedMatrix(quantizing: zeros, rows: 1, cols: 32, type: t)
            XCTAssertEqual(m.dequantizeRow(0), zeros, "\(t)")
            var weird = zeros
            weird[3] = .nan; weird[4] = .infinity; weird[5] = -.infinity
            _ = Quantize.bytes(t, weird)   // must not trap
        }
    }

    func testF16AndBF16RoundTrip() throws {
        let x: [Float] = [1, -2, 0.5, 3.140625]
        XCTAssertEqual(try QuantizedMatrix(quantizing: x, rows: 1, cols: 4, type: .f16).dequantized(), x)
        XCTAssertEqual(try QuantizedMatrix(quantizing: x, rows: 1, cols: 4, type: .bf16).dequantized(), x)
        XCTAssertEqual(try QuantizedMatrix(quantizing: x, rows: 2, cols: 2, type: .f32).dequantized(), x)
    }

    /// The threaded range path gives exactly what row-by-row dequantization gives.
    func testThreadedRangeMatchesRows() throws {
        let rows = 300, cols = 512
        let x = sample(rows * cols, seed: 9)
        for t in [GGMLType.q8_0, .q4_1] {
            let m = try QuantizedMatrix(quantizing: x, rows: rows, cols: cols, type: t)
            var all = [Float](repeating: 0, count: 250 * cols)
            all.withUnsafeMutableBufferPointer { m.dequantize(rows: 20..<270, into: $0) }
            for r in [20, 21, 100, 269] {
                XCTAssertEqual(Array(all[((r - 20) * cols)..<((r - 19) * cols)]), m.dequantizeRow(r))
            }
            XCTAssertEqual(m.byteCount, rows * cols / 32 * t.bytesPerBlock!)
        }
    }
}
