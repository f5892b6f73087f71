import CKernels
import XCTest
@testable import TensorCore

/// The C kernels for Q8_0, Q4_0 and Q4_1 (vectorised and portable) against the Swift reference
/// loops: dequantization to the float, and the fused dot within float rounding of dequantize-then-dot.
final class LegacyBlockKernelTests: XCTestCase {
    override func tearDown() { attune_quant_force_portable(-1) }

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
}
