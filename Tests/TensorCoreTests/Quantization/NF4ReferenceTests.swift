import Foundation
import XCTest
@testable import TensorCore

/// NF4 against bitsandbytes 0.50's own output (`reference/nf4/`, see reference/README.md).
final class NF4ReferenceTests: XCTestCase {
    /// A minimal safetensors reader for this fixture only: 8-byte little-endian header length,
    /// a JSON header `{name: {dtype, shape, data_offsets: [begin, end]}}`, then the data.
    struct Fixture {
        let data: Data
        let header: [String: Any]
        let base: Int

        init(url: URL) throws {
            data = try Data(contentsOf: url)
            let n = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as! [String: Any]
            base = 8 + n
        }

        func bytes(_ name: String) -> Data {
            let entry = header[name] as! [String: Any]
            let off = entry["data_offsets"] as! [Int]
            return data.subdata(in: (base + off[0])..<(base + off[1]))
        }

        func floats(_ name: String) -> [Float] {
            let b = bytes(name)
            return stride(from: 0, to: b.count, by: 4).map { i in
                Float(bitPattern: UInt32(b[b.startIndex + i]) | UInt32(b[b.startIndex + i + 1]) << 8
                      | UInt32(b[b.startIndex + i + 2]) << 16 | UInt32(b[b.startIndex + i + 3]) << 24)
            }
        }

        func u8(_ name: String) -> [UInt8] { [UInt8](bytes(name)) }
    }

    func fixture() throws -> Fixture {
        // …/Tests/TensorCoreTests/Quantization/this file → package root → ../shared/reference/nf4
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [root.appendingPathComponent("../shared/reference/nf4/nf4_bitsandbytes.safetensors"),
                          URL(fileURLWithPath: "/work/shared/reference/nf4/nf4_bitsandbytes.safetensors")]
        guard let url = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            if ProcessInfo.processInfo.environment["ATTUNE_REQUIRE_FIXTURES"] == "1" { XCTFail("NF4 reference fixture not found") }
            throw XCTSkip("NF4 reference fixture not found")
        }
        return try Fixture(url: url)
    }

    func testPackedAndAbsmaxAreIdentical() throws {
        let f = try fixture()
        let w = f.floats("weight")
        XCTAssertEqual(w.count, 64 * 256)
        let t = NF4Tensor(quantizing: w, rows: 64, cols: 256)
        XCTAssertEqual(t.packed, f.u8("packed"))
        guard case .plain(let absmax) = t.absmax else { return XCTFail("expected plain absmax") }
        XCTAssertEqual(absmax, f.floats("absmax"))
        // The all-zero block (block 40) packs to code 7 (0.0) everywhere: 0x77.
        XCTAssertEqual(t.packed[40 * 32], 0x77)
    }

    func testDequantizedMatches() throws {
        let f = try fixture()
        let t = NF4Tensor(quantizing: f.floats("weight"), rows: 64, cols: 256)
        let ours = t.dequantized(), theirs = f.floats("dequantized")
        XCTAssertEqual(ours.count, theirs.count)
        let maxDiff = zip(ours, theirs).map { abs($0 - $1) }.max()!
        XCTAssertLessThanOrEqual(maxDiff, 1e-6)
        // row-wise dequantization agrees with the whole-matrix path
        var row = [Float](repeating: 0, count: 256)
        row.withUnsafeMutableBufferPointer { t.dequantizeRow(7, into: $0) }
        XCTAssertEqual(row, Array(ours[(7 * 256)..<(8 * 256)]))
        let mae = zip(f.floats("weight"), ours).map { abs($0 - $1) }.reduce(0, +) / Float(ours.count)
        XCTAssertEqual(mae, 0.07327665388584137, accuracy: 1e-5)   // nf4_bitsandbytes.json
    }

    func testDynamicCodeMatchesBitsandbytes() throws {
        let f = try fixture()
        let code = DynamicQuantMap.signed
        XCTAssertEqual(code.count, 256)
        XCTAssertEqual(code, f.floats("dq_nested_code"))
        XCTAssertEqual(code.first, -0.99296874)
        XCTAssertEqual(code.last, 1.0)
        XCTAssertEqual(code.filter { $0 > 0 }.count, 128)   // 127 dynamic values + 1.0
    }

    func testDoubleQuantizationMatches() throws {
        let f = try fixture()
        let t = NF4Tensor(quantizing: f.floats("weight"), rows: 64, cols: 256, doubleQuant: true)
        XCTAssertEqual(t.packed, f.u8("dq_packed"))
        guard case .double(let dq) = t.absmax else { return XCTFail("expected double quantization") }
        XCTAssertEqual(dq.offset, 2.6059882640838623)   // nf4_bitsandbytes.json dq_offset
        XCTAssertEqual(dq.codes, f.u8("dq_absmax_q8"))
        XCTAssertEqual(dq.nestedAbsmax, f.floats("dq_nested_absmax"))
        let ours = t.dequantized(), theirs = f.floats("dq_dequantized")
        let maxDiff = zip(ours, theirs).map { abs($0 - $1) }.max()!
        XCTAssertLessThanOrEqual(maxDiff, 1e-6)
        // storage: 0.5 bit/param of codes → 4 + 8/64 + 32/(64·256) + 32/16384 bits per parameter
        XCTAssertEqual(t.byteCount, 8192 + 256 + 4 + 4)
    }

    func testPartialAndOddBlocks() {
        let x: [Float] = [0.5, -1, 0.25, 0.0, 2.0]      // block 4: [0.5, −1, 0.25, 0], block: [2]
        let (packed, absmax) = NF4.quantize(x, blockSize: 4)
        XCTAssertEqual(absmax, [1, 2])
        // 0.5 → nearest code 0.44070983 (12); −1 → 0; 0.25 → 0.24611230 (10); 0 → 7; 2/2 = 1 → 15
        XCTAssertEqual(packed, [0xC0, 0xA7, 0xF7])
    }
}
