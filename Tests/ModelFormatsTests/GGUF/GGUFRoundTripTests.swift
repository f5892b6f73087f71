import Foundation
import XCTest
@testable import ModelFormats
import Tokenization
import TensorCore

final class GGUFRoundTripTests: XCTestCase {
    func testEveryMetadataTypeRoundTrips() throws {
        let f = try GGUFFile(bytes: GGUFTestFixtures.bytes(), name: "fixture.gguf")
        XCTAssertEqual(f.version, 3)
        XCTAssertEqual(f.keys, GGUFTestFixtures.metadata.map(\.0))
        for (k, v) in GGUFTestFixtures.metadata { XCTAssertEqual(f[k], v, k) }
        XCTAssertEqual(Set(GGUFTestFixtures.metadata.map { $0.1.type }), Set(GGUFValueType.allCases))
    }

    func testEveryTensorTypeRoundTrips() throws {
        let w = try GGUFTestFixtures.writer()
        let f = try GGUFFile(bytes: w.serialized())
        XCTAssertEqual(f.tensors.count, w.tensors.count)
        for (info, bytes) in w.tensors {
            let r = try XCTUnwrap(f.tensorInfo(named: info.name))
            XCTAssertEqual(r, info)
            XCTAssertEqual(r.offset % 32, 0)
            XCTAssertEqual([UInt8](f.rawBytes(of: r)), bytes, info.name)
        }
        // values survive within each type's precision
        for (i, t) in GGUFTestFixtures.tensorTypes.enumerated() {
            let m = try f.tensor(named: "t.\(t)")
            XCTAssertEqual(m.rows, 3); XCTAssertEqual(m.cols, 64); XCTAssertEqual(m.type, t)
            let x = GGUFTestFixtures.values(192, seed: UInt64(i))
            let tol: Float = switch t { case .f32: 0; case .f16: 1e-4; case .bf16: 1e-3; case .q8_0: 1e-3; default: 0.02 }
            XCTAssertLessThanOrEqual(zip(x, m.dequantized()).map { abs($0 - $1) }.max()!, tol, "\(t)")
        }
        XCTAssertEqual(try f.tensor(named: "t.3d").rows, 4)
        XCTAssertEqual(try f.tensor(named: "t.vector").shape, [1, 32])
    }

    func testAlignmentIsWrittenAndHonoured() throws {
        let w = try GGUFTestFixtures.writer(alignment: 64)
        let f = try GGUFFile(bytes: w.serialized())
        XCTAssertEqual(f.alignment, 64)
        XCTAssertEqual(f["general.alignment"], .uint32(64))
        XCTAssertEqual(f.dataOffset % 64, 0)
        for t in f.tensors { XCTAssertEqual(t.offset % 64, 0) }
        XCTAssertEqual(try f.tensor(named: "t.Q4_1").dequantized(), try GGUFFile(bytes: GGUFTestFixtures.bytes()).tensor(named: "t.Q4_1").dequantized())
    }

    func testWriteAndMapFromDisk() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attune-gguf-\(UUID().uuidString).gguf")
        defer { try? FileManager.default.removeItem(at: url) }
        let w = try GGUFTestFixtures.writer()
        try w.write(to: url)
        let f = try GGUFFile(contentsOf: url)
        XCTAssertEqual(f.name, url.lastPathComponent)
        XCTAssertEqual(try f.tensor(named: "t.Q8_0").dequantizeRow(2), try GGUFFile(bytes: w.serialized()).tensor(named: "t.Q8_0").dequantizeRow(2))
        let m = try f.llamaMetadata()
        XCTAssertEqual(m, LlamaMetadata(architecture: "llama", blockCount: 2, embeddingLength: 64, feedForwardLength: 176,
                                        headCount: 4, headCountKV: 2, contextLength: 256, ropeFreqBase: 10_000,
                                        rmsNormEpsilon: 1e-5, ropeDimensionCount: nil, vocabSize: nil))
        let tok = try f.tokenizerMetadata()
        XCTAssertEqual(tok.tokens.count, 6); XCTAssertEqual(tok.merges, ["a b"]); XCTAssertEqual(tok.eosID, 2)
    }

    func testQuantizedMatrixWritesAsIs() throws {
        let m = try QuantizedMatrix(quantizing: GGUFTestFixtures.values(64 * 5, seed: 3), rows: 5, cols: 64, type: .q4_1)
        var w = GGUFWriter()
        try w.addTensor(name: "m", matrix: m)
        let back = try GGUFFile(bytes: w.serialized()).tensor(named: "m")
        XCTAssertEqual(back.dequantized(), m.dequantized())
        XCTAssertEqual([UInt8](back.rawBytes), [UInt8](m.rawBytes))
    }

    func testWriterRejectsBadTensors() {
        var w = GGUFWriter()
        XCTAssertThrowsError(try w.addTensor(name: "x", dims: [33], type: .q8_0, values: [Float](repeating: 0, count: 33)))
        XCTAssertThrowsError(try w.addTensor(name: "x", dims: [32], type: .q4_K, values: [Float](repeating: 0, count: 32)))
        XCTAssertThrowsError(try w.addTensor(name: "x", dims: [32], type: .f32, bytes: [0, 1]))
        XCTAssertNoThrow(try w.addTensor(name: "x", dims: [32], type: .f32, values: [Float](repeating: 0, count: 32)))
        XCTAssertThrowsError(try w.addTensor(name: "x", dims: [32], type: .f32, values: [Float](repeating: 0, count: 32)))
    }

    func testVersion2IsAccepted() throws {
        var b = try GGUFTestFixtures.bytes()
        b[4] = 2
        XCTAssertEqual(try GGUFFile(bytes: b).version, 2)
    }
}
