import Foundation
import XCTest
@testable import ModelFormats
import Tokenization
import TensorCore

/// Opens the real SmolLM2-135M-Instruct Q4_1 file (DESIGN §6) when it is in the cache.
final class SmolLM2FileTests: XCTestCase {
    static let path: String = {
        let cache = ProcessInfo.processInfo.environment["ATTUNE_CACHE"]
            ?? (NSHomeDirectory() + "/.cache/attune")
        return cache + "/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    }()

    func open() throws -> GGUFFile {
        guard FileManager.default.fileExists(atPath: Self.path) else {
            if ProcessInfo.processInfo.environment["ATTUNE_REQUIRE_FIXTURES"] == "1" { XCTFail("SmolLM2 GGUF not found at \(Self.path)") }
            throw XCTSkip("SmolLM2 GGUF not found at \(Self.path) (run `attune fetch smollm2`)")
        }
        return try GGUFFile(contentsOf: URL(fileURLWithPath: Self.path))
    }

    func testHeaderAndLlamaMetadata() throws {
        let f = try open()
        XCTAssertEqual(f.version, 3)
        XCTAssertEqual(f.alignment, 32)
        // 30 blocks × 9 tensors (4 attention, 3 MLP, 2 norms) + token_embd + output_norm
        // (tied embeddings: no output.weight)
        XCTAssertEqual(f.tensors.count, 272)
        XCTAssertNil(f.tensorInfo(named: "output.weight"))
        let m = try f.llamaMetadata()
        XCTAssertEqual(m.architecture, "llama")
        XCTAssertEqual(m.blockCount, 30)
        XCTAssertEqual(m.embeddingLength, 576)
        XCTAssertEqual(m.feedForwardLength, 1536)
        XCTAssertEqual(m.headCount, 9)
        XCTAssertEqual(m.headCountKV, 3)
        XCTAssertEqual(m.headDim, 64)
        XCTAssertEqual(m.ropeFreqBase, 100_000)
        XCTAssertEqual(m.rmsNormEpsilon, 1e-5)
        XCTAssertEqual(m.contextLength, 8192)
    }

    func testTokenizerMetadata() throws {
        let t = try open().tokenizerMetadata()
        XCTAssertEqual(t.model, "gpt2")
        XCTAssertEqual(t.pre, "smollm")
        XCTAssertEqual(t.tokens.count, 49152)
        XCTAssertEqual(t.merges.count, 48900)
        XCTAssertEqual(t.bosID, 1)
        XCTAssertEqual(t.eosID, 2)
        XCTAssertEqual(t.padID, 2)
        XCTAssertEqual(t.tokens[1], "<|im_start|>")
        XCTAssertEqual(t.tokens[2], "<|im_end|>")
        XCTAssertEqual(t.tokens[19556], "Hello")           // reference/smollm2-135m-instruct.json
        XCTAssertEqual(t.tokens[905], "Ġworld")
        XCTAssertTrue(t.chatTemplate?.contains("<|im_start|>") ?? false)
    }

    func testTensorTypesAndShapes() throws {
        let f = try open()
        let embd = try XCTUnwrap(f.tensorInfo(named: "token_embd.weight"))
        XCTAssertEqual(embd.type, .q8_0)
        XCTAssertEqual(embd.dims, [576, 49152])
        XCTAssertEqual(embd.shape, [49152, 576])
        let q = try XCTUnwrap(f.tensorInfo(named: "blk.0.attn_q.weight"))
        XCTAssertEqual(q.type, .q4_1)
        XCTAssertEqual(q.shape, [576, 576])
        XCTAssertEqual(try XCTUnwrap(f.tensorInfo(named: "blk.0.attn_k.weight")).shape, [192, 576])
        XCTAssertEqual(try XCTUnwrap(f.tensorInfo(named: "blk.29.ffn_down.weight")).shape, [576, 1536])
        XCTAssertEqual(try XCTUnwrap(f.tensorInfo(named: "blk.0.attn_norm.weight")).type, .f32)
        XCTAssertEqual(try XCTUnwrap(f.tensorInfo(named: "output_norm.weight")).shape, [1, 576])
        var counts: [GGMLType: Int] = [:]
        for t in f.tensors { counts[t.type, default: 0] += 1 }
        XCTAssertEqual(counts, [.q8_0: 1, .q4_1: 210, .f32: 61])
    }

    func testDequantizedRowsArePlausible() throws {
        let f = try open()
        let embd = try f.tensor(named: "token_embd.weight")
        XCTAssertEqual(embd.rows, 49152)
        XCTAssertEqual(embd.cols, 576)
        XCTAssertEqual(embd.byteCount, 49152 * 18 * 34)    // kept in Q8_0: 34 bytes per 32 weights
        for r in [0, 1, 19556, 49151] {
            let row = embd.dequantizeRow(r)
            XCTAssertTrue(row.allSatisfy(\.isFinite))
            let rms = (row.map { $0 * $0 }.reduce(0, +) / Float(row.count)).squareRoot()
            XCTAssertGreaterThan(rms, 1e-3, "row \(r)")
            XCTAssertLessThan(rms, 10, "row \(r)")
        }
        let q = try f.tensor(named: "blk.0.attn_q.weight")
        let all = q.dequantized()
        XCTAssertTrue(all.allSatisfy(\.isFinite))
        XCTAssertLessThan(all.map(abs).max()!, 50)
        let norm = try f.tensor(named: "blk.0.attn_norm.weight").dequantizeRow(0)
        XCTAssertEqual(norm.count, 576)
        XCTAssertTrue(norm.allSatisfy { $0.isFinite && abs($0) < 100 })
    }
}
