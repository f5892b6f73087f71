@testable import AttuneRuntime
import Models
import TensorCore
import XCTest

/// `show` and `list` on weights kept in their file's quantization, as a GGUF model holds its
/// projections (Q4_1) and embedding (Q8_0): the values are dequantized for display.
final class QuantizedTensorInspectionTests: XCTestCase {
    /// The tiny model's shapes with layer 0's q_proj stored as Q8_0 and the embedding as Q4_1
    /// (from the random tiny weights), the rest float32.
    func quantizedInterpreter() throws -> (Interpreter, q: QuantizedMatrix, embed: QuantizedMatrix) {
        let tiny = try LoadedModel.tiny(seed: 42).model
        func quantize(_ name: String, _ type: GGMLType) throws -> QuantizedMatrix {
            let tensor = tiny.parameter(name)
            return try QuantizedMatrix(quantizing: tensor.values, rows: tensor.shape[0], cols: tensor.shape[1], type: type)
        }
        let q = try quantize("model.layers.0.self_attn.q_proj.weight", .q8_0)
        let embed = try quantize("model.embed_tokens.weight", .q4_1)
        let model = try LlamaModel(config: tiny.config, quantizedWeights: ["model.layers.0.self_attn.q_proj.weight": q,
                                                                           "model.embed_tokens.weight": embed])
        let interpreter = makeInterpreter()
        interpreter.session.model = SessionModel(name: "tiny-quantized", origin: "test", model: model, tokenizer: nil, tokenizerSummary: "none")
        return (interpreter, q, embed)
    }

    func testShowDequantizesForDisplay() throws {
        let (interpreter, q, _) = try quantizedInterpreter()
        let dense = q.dequantized()
        let text = ok(interpreter, "show layers.0.attn.q_proj[0:2, :4]")
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "layers.0.attn.q_proj  (model.layers.0.self_attn.q_proj.weight)")
        XCTAssertEqual(lines[1], "shape [64, 64] · Q8_0 (8.5 bits/weight, 4,352 bytes) · 4,096 values, shown dequantized to float32")
        XCTAssertEqual(lines[2], "slice [0:2, :4] → shape [2, 4] · 8 values")
        let slice = (0..<2).flatMap { r in (0..<4).map { c in dense[r * 64 + c] } }
        XCTAssertEqual(lines[3], TensorStatistics(slice).line)
        XCTAssertEqual(lines.count, 6)
        XCTAssertEqual(lines[4...].joined(separator: "\n"), TensorFormatting.block(slice, shape: [2, 4]))

        // The whole matrix under its Hugging Face name: statistics of every dequantized value,
        // close to the float32 weights it was quantized from.
        let whole = ok(interpreter, "show model.layers.0.self_attn.q_proj.weight").split(separator: "\n").map(String.init)
        XCTAssertEqual(whole[2], TensorStatistics(dense).line)
        let original = try LoadedModel.tiny(seed: 42).model.parameter("model.layers.0.self_attn.q_proj.weight").values
        XCTAssertLessThan(zip(dense, original).map { abs($0 - $1) }.max()!, 1e-3)
    }

    func testSlicesRowsAndEmptySlicesOfAQuantizedMatrix() throws {
        let (interpreter, _, embed) = try quantizedInterpreter()
        let dense = embed.dequantized()
        let last = ok(interpreter, "show embed[-1, ::8]").split(separator: "\n").map(String.init)
        XCTAssertTrue(last[1].hasPrefix("shape [259, 64] · Q4_1 (5 bits/weight, 10,360 bytes)"), last[1])
        XCTAssertEqual(last[2], "slice [-1, ::8] → shape [8] · 8 values")
        XCTAssertEqual(last[3], TensorStatistics((0..<8).map { dense[258 * 64 + $0 * 8] }).line)
        XCTAssertTrue(ok(interpreter, "show embed[300:]").contains("(the slice is empty)"))
        XCTAssertTrue(ok(interpreter, "show embed[5, 3]").contains("slice [5, 3] → shape [] · 1 values"))
        XCTAssertEqual(failure(interpreter, "show embed[259]").message, "line 1, column 6: index 259 is outside dimension 0 of embed, which has size 259")
        XCTAssertEqual(failure(interpreter, "show layers.0.attn.q_proj.grad").message,
                       "line 1, column 6: layers.0.attn.q_proj is stored quantized (Q8_0) and stays frozen, so it has no gradient; "
                       + "LoRA and QLoRA train adapter matrices beside it (list layers.0.attn.q_proj)")
        // A float32 tensor of the same model still shows as before.
        XCTAssertTrue(ok(interpreter, "show layers.0.attn.k_proj[0, :2]").contains("shape [32, 64] · float32 · 2,048 values"))
    }

    func testListNamesTheQuantizationTypeInModelOrder() throws {
        let (interpreter, _, _) = try quantizedInterpreter()
        let lines = ok(interpreter, "list layers.0.attn").split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "4 tensors · 12,288 values")
        XCTAssertEqual(lines[1].split(separator: " ", omittingEmptySubsequences: true), ["layers.0.attn.q_proj", "[64,", "64]", "4,096", "Q8_0"])
        XCTAssertFalse(lines[2].contains("Q"), "float32 tensors carry no type column: \(lines[2])")
        let all = ok(interpreter, "list").split(separator: "\n").map(String.init)
        XCTAssertTrue(all[1].hasPrefix("  embed "), "the embedding comes first, as in the model: \(all[1])")
        XCTAssertTrue(all[1].hasSuffix("Q4_1"), all[1])
        XCTAssertEqual(all.count, 1 + 20, "every tensor of the two-layer model, quantized or not")
    }
}
