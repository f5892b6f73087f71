import CKernels
import XCTest
@testable import TensorCore

/// Decoding's rearranged weight rows (`Int16DecodeRows`, CKernels `attune_act16_rows4_*`): for every
/// type, row count (whole groups of four and leftovers), block count (chunks of eight, full and
/// partial), row range (on and off a multiple of four) and number of activation rows (1–7: a
/// decoding batch, two at a time in the kernels), the product has the bits of the 16-bit
/// activation dots' definition — `Int16Activations.multiply` on the original rows with the portable
/// kernels — on every kernel path this CPU has (the VNNI kernel reads the layout; other paths put
/// each row back together first).
final class Int16DecodeRowsTests: XCTestCase {
    override func tearDown() { attune_kernel_force_path(-1) }

    func paths() -> [Int32] {
        let best = attune_kernel_best_path()
        return [Int32(ATTUNE_PATH_PORTABLE), Int32(ATTUNE_PATH_AVX2), Int32(ATTUNE_PATH_AVX512)].filter { $0 <= best }
    }

    func testEveryPathGivesTheDefinitionsBits() throws {
        var checked = 0
        for type in [GGMLType.q8_0, .q4_0, .q4_1] {
            for (rows, blocks) in [(4, 1), (5, 8), (13, 9), (8, 18), (36, 17), (3, 2)] {
                let cols = 32 * blocks
                var rng = RandomGenerator(seed: UInt64(rows * 100 + blocks))
                let values = (0..<(rows * cols)).map { i in Float(rng.normal()) * (i % 64 < 32 ? 0.03 : 0.8) + (i % 96 < 32 ? 0.2 : 0) }
                let weight = try QuantizedMatrix(quantizing: values, rows: rows, cols: cols, type: type)
                // Up to 7 activation rows (decoding a batch): each row's outputs are its own.
                let m = [1, 2, 3, 5, 7][(rows + blocks) % 5]
                let x = (0..<(m * cols)).map { i in Float(rng.uniform(-1, 1)) * (i / 32 % 3 == 0 ? 40 : 0.01) }
                let acts = x.withUnsafeBufferPointer { Int16Activations($0.baseAddress!, rows: m, columns: cols) }
                attune_kernel_force_path(Int32(ATTUNE_PATH_PORTABLE))
                var expected = [Float](repeating: .nan, count: m * rows)
                for i in 0..<m {
                    expected.withUnsafeMutableBufferPointer {
                        acts.multiply(type, weights: weight.rowBytes(0).baseAddress!, rowBytes: weight.rowByteCount, rows: rows, row: i,
                                      into: $0.baseAddress! + i * rows)
                    }
                }
                attune_kernel_force_path(-1)
                let decodeRows = Int16DecodeRows(weight)
                XCTAssertEqual(decodeRows.groups, rows / 4)
                XCTAssertEqual(decodeRows.byteCount, max(rows / 4 * 4 * weight.rowByteCount, 64), "the blocks' own bytes, moved")
                for path in paths() {
                    attune_kernel_force_path(path)
                    for range in Set([0..<rows, 1..<rows, 0..<max(1, rows - 1), min(2, rows - 1)..<rows, (rows / 2)..<rows]) where !range.isEmpty {
                        var y = [Float](repeating: .nan, count: m * rows)
                        y.withUnsafeMutableBufferPointer {
                            decodeRows.multiply(acts, weight: weight, rows: range, into: $0.baseAddress! + range.lowerBound, ldy: rows)
                        }
                        for i in 0..<m {
                            let part = (i * rows + range.lowerBound)..<(i * rows + range.upperBound)
                            XCTAssertEqual(y[part].map(\.bitPattern), expected[part].map(\.bitPattern),
                                           "\(type) \(rows)×\(cols), \(m) activation rows, row \(i), weight rows \(range), path \(path)")
                        }
                        checked += 1
                    }
                }
                attune_kernel_force_path(-1)
            }
        }
        XCTAssertGreaterThan(checked, 50)
    }

    /// The kernel's float order is the definition's, so a changed scale is seen: a weight whose
    /// halves differ in one block gives different results (the test above cannot pass vacuously).
    func testAChangedBlockChangesOnlyItsRow() throws {
        let (rows, blocks) = (8, 9)
        var bytes = [UInt8](repeating: 0, count: rows * blocks * 20)
        var rng = RandomGenerator(seed: 5)
        for r in 0..<rows {
            for b in 0..<blocks {
                let base = (r * blocks + b) * 20
                bytes[base ..< base + 2] = [0x00, 0x2C]  // d = 1/16
                bytes[base + 2 ..< base + 4] = [0x00, 0xA4]  // m = −1/64
                for j in 4..<20 { bytes[base + j] = UInt8(rng.next() % 256) }
            }
        }
        let x = (0..<(32 * blocks)).map { Float($0 % 7) - 3 }
        let acts = x.withUnsafeBufferPointer { Int16Activations($0.baseAddress!, rows: 1, columns: 32 * blocks) }
        func product(_ bytes: [UInt8]) throws -> [Float] {
            let weight = try QuantizedMatrix(rows: rows, cols: 32 * blocks, type: .q4_1, bytes: bytes)
            var y = [Float](repeating: .nan, count: rows)
            y.withUnsafeMutableBufferPointer { Int16DecodeRows(weight).multiply(acts, weight: weight, rows: 0..<rows, into: $0.baseAddress!, ldy: rows) }
            return y
        }
        let before = try product(bytes)
        bytes[(6 * blocks + 8) * 20 + 1] = 0x30  // row 6, last block (a partial chunk): d = 1/8
        let after = try product(bytes)
        for r in 0..<rows where r != 6 { XCTAssertEqual(before[r].bitPattern, after[r].bitPattern, "row \(r)") }
        XCTAssertNotEqual(before[6], after[6])
    }
}
