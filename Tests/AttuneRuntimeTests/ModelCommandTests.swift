@testable import AttuneRuntime
import XCTest

final class ModelCommandTests: XCTestCase {
    func testTinyDefaultsFollowTheDesign() throws {
        let interpreter = makeInterpreter()
        XCTAssertEqual(ok(interpreter, "model new tiny"), "model tiny · llama · 2 layers · width 64 · 4 heads (2 kv) · vocab 259 · 0.11 M parameters")
        let config = try XCTUnwrap(interpreter.session.model).model.config
        XCTAssertEqual([config.layers, config.hiddenSize, config.heads, config.kvHeads, config.intermediateSize, config.maxPositionEmbeddings, config.vocabSize],
                       [2, 64, 4, 2, 176, 256, 259])
        XCTAssertEqual(config.parameterCount, 109_056)
    }

    func testInitialisationIsSeededNormalWithUnitNorms() throws {
        let a = makeInterpreter(tiny: true, seed: 1), b = makeInterpreter(tiny: true, seed: 1), c = makeInterpreter(tiny: true, seed: 2)
        let wa = try XCTUnwrap(a.session.model?.catalog.entry("layers.0.attn.q_proj")?.tensor.values)
        let wb = try XCTUnwrap(b.session.model?.catalog.entry("layers.0.attn.q_proj")?.tensor.values)
        let wc = try XCTUnwrap(c.session.model?.catalog.entry("layers.0.attn.q_proj")?.tensor.values)
        XCTAssertEqual(wa, wb)
        XCTAssertNotEqual(wa, wc)
        let stats = TensorStatistics(wa)
        XCTAssertEqual(stats.mean, 0, accuracy: 0.002)
        XCTAssertEqual(stats.std, 0.02, accuracy: 0.002)
        XCTAssertEqual(a.session.model?.catalog.entry("norm")?.tensor.values, [Float](repeating: 1, count: 64))
    }

    func testTinyOptionsAreChecked() {
        let interpreter = makeInterpreter()
        XCTAssertEqual(failure(interpreter, "model new tiny dim=60 heads=8").message, "line 1, column 16: dim=60 must be a multiple of heads=8")
        XCTAssertEqual(failure(interpreter, "model new tiny dim=24 heads=8").message,
                       "line 1, column 23: the head dimension dim/heads = 3 must be even for rotary embeddings")
        XCTAssertEqual(failure(interpreter, "model new tiny heads=4 kv_heads=3").message, "line 1, column 24: kv_heads=3 must divide heads=4")
        XCTAssertEqual(failure(interpreter, "model new tiny layers=0").message, "line 1, column 23: layers must be at least 1 (got 0)")
        XCTAssertEqual(failure(interpreter, "model new tiny layer=2").message, "line 1, column 16: model new has no argument 'layer' — did you mean 'layers'?")
        XCTAssertEqual(failure(interpreter, "model new huge").message,
                       "line 1, column 11: size must be one of tiny (got 'huge')")
        XCTAssertTrue(failure(interpreter, "model new tiny layers=64 dim=4096 mlp=16384").message.contains("model new tiny builds up to 50,000,000"))
        XCTAssertTrue(failure(interpreter, "model new").message.contains("model new needs SIZE"))
        XCTAssertNil(interpreter.session.model, "failed commands leave no model behind")
    }

    func testHeadsAloneKeepsGroupedQueryAttentionWhenEven() throws {
        let interpreter = makeInterpreter()
        ok(interpreter, "model new tiny heads=8")
        XCTAssertEqual(interpreter.session.model?.model.config.kvHeads, 4)
        ok(interpreter, "model new tiny heads=1 dim=32")
        XCTAssertEqual(interpreter.session.model?.model.config.kvHeads, 1)
    }

    func testModelInfo() {
        let interpreter = makeInterpreter()
        XCTAssertEqual(failure(interpreter, "model info").name, "NoModel")
        ok(interpreter, "model new tiny")
        let text = ok(interpreter, "model info")
        XCTAssertTrue(text.contains("architecture  llama · 2 layers · width 64 · 4 heads, 2 kv heads, head dim 16 · mlp 176"), text)
        XCTAssertTrue(text.contains("parameters    109,056 (0.11 M) · 20 F32 · 426.0 KiB of weights (32.0 bits/weight)"), text)
        XCTAssertTrue(failure(interpreter, "model info extra").message.contains("model info takes no positional arguments"))
    }

    func testModelLoadErrorsNameTheFileAndTheProblem() throws {
        let folder = temporaryFolder()
        let interpreter = makeInterpreter(paths: .unrestricted(base: folder))
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("m.gguf").path, contents: Data("GGUF".utf8))
        let gguf = failure(interpreter, "model load \"m.gguf\"")
        XCTAssertEqual(gguf.name, "ModelError")
        XCTAssertTrue(gguf.message.contains("cannot load 'm.gguf'") && gguf.message.contains("m.gguf"), gguf.message)
        XCTAssertEqual(failure(interpreter, "model load smolm2").message,
                       "line 1, column 12: no model 'smolm2': not a built-in name (smollm2) and no such file or folder — did you mean 'smollm2'?")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("empty"), withIntermediateDirectories: true)
        let empty = failure(interpreter, "model load empty")
        XCTAssertEqual(empty.name, "ModelError")
        XCTAssertTrue(empty.message.contains("missing config.json"), empty.message)
    }
}

import Foundation

final class HuggingFaceLoadTests: XCTestCase {
    /// Writes a one-layer Llama folder: config.json and a float32 model.safetensors.
    func writeFolder(_ folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let config = #"{"vocab_size": 32, "hidden_size": 16, "intermediate_size": 24, "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1, "tie_word_embeddings": false, "max_position_embeddings": 64}"#
        try config.write(to: folder.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let p = "model.layers.0."
        let shapes: [(String, [Int])] = [("model.embed_tokens.weight", [32, 16]), (p + "input_layernorm.weight", [16]),
            (p + "self_attn.q_proj.weight", [16, 16]), (p + "self_attn.k_proj.weight", [8, 16]), (p + "self_attn.v_proj.weight", [8, 16]),
            (p + "self_attn.o_proj.weight", [16, 16]), (p + "post_attention_layernorm.weight", [16]), (p + "mlp.gate_proj.weight", [24, 16]),
            (p + "mlp.up_proj.weight", [24, 16]), (p + "mlp.down_proj.weight", [16, 24]), ("model.norm.weight", [16]), ("lm_head.weight", [32, 16])]
        var entries: [String] = []
        var data = Data()
        for (index, (name, shape)) in shapes.enumerated() {
            let count = shape.reduce(1, *)
            let start = data.count
            for i in 0..<count {
                var value = Float(index) + Float(i) / 1000
                withUnsafeBytes(of: &value) { data.append(contentsOf: $0) }
            }
            entries.append("\"\(name)\": {\"dtype\": \"F32\", \"shape\": \(shape), \"data_offsets\": [\(start), \(data.count)]}")
        }
        var header = Data(("{" + entries.joined(separator: ", ") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var length = UInt64(header.count).littleEndian
        var file = Data()
        withUnsafeBytes(of: &length) { file.append(contentsOf: $0) }
        file.append(header)
        file.append(data)
        try file.write(to: folder.appendingPathComponent("model.safetensors"))
    }

    func testLoadsAFolderRelativeToTheSessionBase() throws {
        let base = temporaryFolder()
        try writeFolder(base.appendingPathComponent("tiny-hf"))
        let interpreter = makeInterpreter(paths: .unrestricted(base: base))
        XCTAssertEqual(ok(interpreter, "model load \"tiny-hf\""), "model tiny-hf · llama · 1 layer · width 16 · 2 heads (1 kv) · vocab 32 · 2,992 parameters")
        XCTAssertTrue(ok(interpreter, "show lm_head[0, :3]").hasSuffix("  11  11.001  11.002"), ok(interpreter, "show lm_head[0, :3]").debugDescription)
        XCTAssertTrue(ok(interpreter, "show layers.0.attn.k_proj[1, 0]").hasSuffix("\n3.016"), "values land where the file put them")
        XCTAssertEqual(failure(interpreter, "tokenize \"hi\"").message,
                       "line 1, column 1: `tokenize` needs a tokenizer; model tiny-hf has none (the folder has no tokenizer.json)")
    }
}
