import CKernels
import XCTest
@testable import TensorCore

/// The C kernels for Q8_0, Q4_0 and Q4_1 (vectorised and portable) against the Swift reference
/// loops: dequantization to the float, and the fused dot within float rounding of dequantize-then-dot;
/// and the two paths against each other, bit for bit.
final class LegacyBlockKernelTests: XCTestCase {
    override func tearDown() { attune_kernel_force_path(-1) }

    /// The portable path, then the vector path where this CPU has one.
    func paths() -> [Int32] {
        let (portable, avx2) = (Int32(ATTUNE_PATH_PORTABLE), Int32(ATTUNE_PATH_AVX2))
        return attune_kernel_best_path() >= avx2 ? [portable, avx2] : [portable]
    }

    /// Random values quantized to `type` with Attune's quantizer (real scales and minimums).
    func blocks(_ type: GGMLType, count: Int, seed: UInt64) throws -> [UInt8] {
        var rng = RandomGenerator(seed: seed)
        let values = (0..<count).map { i in Float(rng.normal()) * (i % 64 < 32 ? 0.02 : 1.5) + (i % 96 < 32 ? 0.3 : 0) }
        let matrix = try QuantizedMatrix(quantizing: values, rows: 1, cols: count, type: type)
        return withExtendedLifetime(matrix) { matrix.rowBytes(0).map { $0 } }
    }

    func reference(_ type: GGMLType, _ bytes: [UInt8], count: Int) -> [Float] {
        var out = [Float](repeating: .nan, count: count)
        bytes.withUnsafeBytes { src in
            out.withUnsafeMutableBufferPointer { dst in
                switch type {
                case .q8_0: Dequantize.q8_0(src.baseAddress!, count / 32, dst.baseAddress!)
                case .q4_0: Dequantize.q4_0(src.baseAddress!, count / 32, dst.baseAddress!)
                default: Dequantize.q4_1(src.baseAddress!, count / 32, dst.baseAddress!)
                }
            }
        }
        return out
    }

    func testDequantizationAndDotMatchTheReference() throws {
        for portable in [false, true] {
            attune_quant_force_portable(portable ? 1 : 0)
            if !portable && attune_quant_is_vectorized() == 0 { continue }
            for type in [GGMLType.q8_0, .q4_0, .q4_1] {
                for count in [32, 96, 576, 1536] {
                    let bytes = try blocks(type, count: count, seed: UInt64(count))
                    let expected = reference(type, bytes, count: count)
                    var got = [Float](repeating: .nan, count: count)
                    bytes.withUnsafeBytes { src in
                        got.withUnsafeMutableBufferPointer { Dequantize.run(type, from: src.baseAddress!, count: count, into: $0.baseAddress!) }
                    }
                    let scale = expected.map(abs).max()!
                    for i in 0..<count {
                        XCTAssertEqual(got[i], expected[i], accuracy: 1e-6 * scale, "\(type) \(count) portable=\(portable) at \(i)")
                    }
                    var rng = RandomGenerator(seed: 9)
                    let a = (0..<count).map { _ in Float(rng.uniform(-1, 1)) }
                    let exact = zip(expected, a).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                    let magnitude = zip(expected, a).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
                    let dot = bytes.withUnsafeBytes { src in a.withUnsafeBufferPointer { Dequantize.dot(type, src.baseAddress!, $0.baseAddress!, count: count)! } }
                    XCTAssertEqual(Double(dot), exact, accuracy: 1e-5 * magnitude, "\(type) dot \(count) portable=\(portable)")
                }
            }
        }
    }

    func testHalfPrecisionScalesIncludingSubnormalsAndZero() {
        // A Q8_0 block with d = smallest subnormal half (0x0001), one with d = 0, one with d = -2.
        for (bits, d) in [(UInt16(0x0001), Float(5.9604645e-8)), (0x0000, 0), (0xC000, -2)] {
            var block = [UInt8](repeating: 0, count: 34)
            block[0] = UInt8(bits & 0xFF); block[1] = UInt8(bits >> 8)
            for i in 0..<32 { block[2 + i] = UInt8(bitPattern: Int8(i - 16)) }
            for portable in [0, 1] {
                attune_quant_force_portable(Int32(portable))
                var out = [Float](repeating: .nan, count: 32)
                block.withUnsafeBytes { src in out.withUnsafeMutableBufferPointer { attune_dequant_q8_0(src.baseAddress!, 1, $0.baseAddress!) } }
                for i in 0..<32 { XCTAssertEqual(out[i], d * Float(i - 16), "d bits \(bits) portable \(portable)") }
            }
        }
    }

    static let blockBytes: [GGMLType: Int] = [.q8_0: 34, .q4_0: 18, .q4_1: 20]

    /// Random blocks: random codes, and half scales (and Q4_1 minimums) of either sign with
    /// exponents from subnormal to large.
    func randomBlocks(_ type: GGMLType, blocks: Int, rng: inout RandomGenerator) -> [UInt8] {
        let size = Self.blockBytes[type]!
        var bytes = (0..<(blocks * size)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        for b in 0..<blocks {
            for field in 0..<(type == .q4_1 ? 2 : 1) {
                let half = UInt16(rng.nextInt(below: 2) << 15 | rng.nextInt(below: 24) << 10 | rng.nextInt(below: 1024))
                bytes[b * size + 2 * field] = UInt8(half & 0xFF)
                bytes[b * size + 2 * field + 1] = UInt8(half >> 8)
            }
        }
        return bytes
    }

    /// Every path gives the same bits for dequantization and the dot, at any block count (0 and 1
    /// included) and any alignment of the blocks and of the vector.
    func testEveryPathGivesTheSameBits() {
        let paths = paths()
        guard paths.count > 1 else { return }
        var rng = RandomGenerator(seed: 2024)
        for type in [GGMLType.q8_0, .q4_0, .q4_1] {
            let size = Self.blockBytes[type]!
            for trial in 0..<120 {
                let blocks = trial < 40 ? trial : 1 + rng.nextInt(below: 160)
                let (byteOffset, floatOffset) = (rng.nextInt(below: 32), rng.nextInt(below: 8))
                let bytes = [UInt8](repeating: 0, count: byteOffset) + randomBlocks(type, blocks: blocks, rng: &rng)
                let scale = Float(trial % 3 == 0 ? 1e-3 : trial % 3 == 1 ? 1 : 300)
                let a = (0..<(floatOffset + blocks * 32)).map { _ in rng.uniform(-1, 1) * scale }
                var results = [(deq: [UInt32], dot: UInt32)]()
                for path in paths {
                    attune_kernel_force_path(path)
                    var deq = [Float](repeating: .nan, count: blocks * 32)
                    var dot = Float.nan
                    bytes.withUnsafeBytes { raw in
                        let src = raw.baseAddress! + byteOffset
                        a.withUnsafeBufferPointer { av in
                            let ap = av.baseAddress! + floatOffset
                            deq.withUnsafeMutableBufferPointer { out in
                                let dst = out.baseAddress!
                                switch type {
                                case .q8_0: attune_dequant_q8_0(src, blocks, dst); dot = attune_dot_q8_0(src, ap, blocks)
                                case .q4_0: attune_dequant_q4_0(src, blocks, dst); dot = attune_dot_q4_0(src, ap, blocks)
                                default: attune_dequant_q4_1(src, blocks, dst); dot = attune_dot_q4_1(src, ap, blocks)
                                }
                            }
                        }
                    }
                    results.append((deq.map(\.bitPattern), dot.bitPattern))
                }
                XCTAssertEqual(results[0].deq, results[1].deq, "\(type) dequantization, \(blocks) blocks of \(size) bytes")
                XCTAssertEqual(results[0].dot, results[1].dot,
                               "\(type) dot, \(blocks) blocks: \(Float(bitPattern: results[0].dot)) vs \(Float(bitPattern: results[1].dot))")
            }
        }
    }

    /// Every one of the 65536 half scales reads alike on every path (the portable half-to-float
    /// conversion against F16C's): a Q8_0 block with scale h and code 1 dequantizes to the same bits,
    /// and for a number to exactly h.
    func testEveryHalfScaleConvertsAlikeOnEveryPath() {
        let paths = paths()
        var block = [UInt8](repeating: 1, count: 34 * 65536)
        for h in 0..<65536 { block[h * 34] = UInt8(h & 0xFF); block[h * 34 + 1] = UInt8(h >> 8) }
        var results = [[UInt32]]()
        for path in paths {
            attune_kernel_force_path(path)
            var out = [Float](repeating: 0, count: 32 * 65536)
            block.withUnsafeBytes { src in out.withUnsafeMutableBufferPointer { attune_dequant_q8_0(src.baseAddress!, 65536, $0.baseAddress!) } }
            results.append((0..<65536).map { out[$0 * 32].bitPattern })
        }
        for h in 0..<65536 where !Float(bitPattern: results[0][h]).isNaN {
            XCTAssertEqual(Float(bitPattern: results[0][h]), Float(HalfFloat.toFloat(UInt16(h))), "half \(h)")
        }
        if results.count == 2 {
            let differing = (0..<65536).filter { results[0][$0] != results[1][$0] }
            XCTAssertEqual(differing.count, 0, "halves converted differently, first \(differing.first.map { String($0, radix: 16) } ?? "")")
        }
    }
}
