import Foundation
import ModelFormats
@testable import Models
import TensorCore
import XCTest

/// Model files whose metadata claims impossible sizes are refused with the key, its value and the
/// bound before anything large is allocated (issue #26 item 1), and a FIFO in a model folder
/// does not block the load.
final class HostileModelFileTests: XCTestCase {
    /// A small valid configuration (2 layers, width 8) as config.json text, with `overrides` applied.
    func configJSON(_ overrides: [String: String] = [:]) -> String {
        var fields = ["vocab_size": "16", "hidden_size": "8", "intermediate_size": "16", "num_hidden_layers": "2",
                      "num_attention_heads": "2", "num_key_value_heads": "1", "rms_norm_eps": "1e-5", "tie_word_embeddings": "true"]
        for (k, v) in overrides { fields[k] = v }
        return "{" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
    }

    /// A folder with `config` as config.json and a safetensors file holding `tensors` (float32 zeros).
    func folder(config: String, tensors: [(String, [Int])]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attune-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try config.write(to: url.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let items = tensors.map { SafetensorsWriter.Item(name: $0.0, shape: $0.1, values: [Float](repeating: 0, count: $0.1.reduce(1, *))) }
        try SafetensorsWriter.encode(items).write(to: url.appendingPathComponent("model.safetensors"))
        return url
    }

    func message(_ body: () throws -> Any) -> String {
        do { _ = try body(); XCTFail("expected an error"); return "" } catch { return "\(error)" }
    }

    func testValidSmallFolderLoads() throws {
        let config = try LlamaModel.configuration(fromJSON: Data(configJSON().utf8), file: "config.json")
        let url = try folder(config: configJSON(), tensors: config.parameterShapes.map { ($0.name, $0.shape) })
        let model = try LlamaModel.loadHuggingFace(folder: url)
        XCTAssertEqual(model.config.layers, 2)
        XCTAssertEqual(model.config.parameterCount, config.checkedParameterCount)
    }

    func testHugeLayerCountNamesTheKeyValueAndBound() throws {
        let url = try folder(config: configJSON(["num_hidden_layers": "100000000"]), tensors: [("model.norm.weight", [8])])
        let text = message { try LlamaModel.loadHuggingFace(folder: url) }
        XCTAssertTrue(text.contains("config.json"), text)
        XCTAssertTrue(text.contains("num_hidden_layers is 100000000, above the bound 1024"), text)
    }

    func testEveryBoundIsEnforced() throws {
        for (key, limit) in LlamaConfiguration.bounds {
            var overrides = [key: String(limit + 1)]
            if key == "num_attention_heads" { overrides["num_key_value_heads"] = "1" }
            let text = message { try LlamaModel.configuration(fromJSON: Data(configJSON(overrides).utf8), file: "config.json") }
            XCTAssertTrue(text.contains("\(key) is \(limit + 1), above the bound \(limit)"), text)
        }
    }

    func testValidJSONWithImpossibleValuesIsNotCalledInvalidJSON() throws {
        for (value, expected) in [("1e30", "hidden_size"), ("-3.5", "hidden_size"), ("\"wide\"", "hidden_size")] {
            let text = message { try LlamaModel.configuration(fromJSON: Data(configJSON(["hidden_size": value]).utf8), file: "config.json") }
            XCTAssertFalse(text.contains("not valid JSON"), text)
            XCTAssertTrue(text.contains("key '\(expected)'"), text)
        }
        let negative = message { try LlamaModel.configuration(fromJSON: Data(configJSON(["vocab_size": "-1"]).utf8), file: "config.json") }
        XCTAssertTrue(negative.contains("vocab_size must be positive, got -1"), negative)
        let missing = message { try LlamaModel.configuration(fromJSON: Data(#"{"hidden_size": 8}"#.utf8), file: "config.json") }
        XCTAssertTrue(missing.contains("is missing"), missing)
        let broken = message { try LlamaModel.configuration(fromJSON: Data(#"{"hidden_size": 8,"#.utf8), file: "config.json") }
        XCTAssertTrue(broken.contains("not valid JSON"), broken)
    }

    func testLargeButBoundedShapesWithoutTensorsAllocateNothing() throws {
        // 1024 layers of width 65,536 would need terabytes: the missing tensors are found first.
        let config = configJSON(["hidden_size": "65536", "intermediate_size": "262144", "num_hidden_layers": "1024",
                                 "num_attention_heads": "512", "num_key_value_heads": "512", "vocab_size": "2000000"])
        let url = try folder(config: config, tensors: [("model.norm.weight", [65536])])
        let text = message { try LlamaModel.loadHuggingFace(folder: url) }
        XCTAssertTrue(text.contains("missing"), text)
    }

    func testMemoryBudgetNamesWhatWasAskedFor() {
        let text = message { try MemoryBudget.require(10 << 30, for: "weights", file: "m.gguf", available: 1 << 30) }
        XCTAssertEqual(text, "m.gguf: loading needs 10.0 GiB for weights, but only 1.0 GiB of memory is available; use a smaller or quantized model, or free memory")
        XCTAssertNoThrow(try MemoryBudget.require(1 << 20, for: "weights", file: "m.gguf", available: 1 << 30))
        XCTAssertGreaterThan(MemoryBudget.availableBytes(), 0)
    }

    func testFIFOConfigIsRefusedWithoutBlocking() throws {
        let url = try folder(config: configJSON(), tensors: [])
        let config = url.appendingPathComponent("config.json")
        try FileManager.default.removeItem(at: config)
        XCTAssertEqual(mkfifo(config.path, 0o600), 0)
        let text = message { try LlamaModel.loadHuggingFace(folder: url) }
        XCTAssertTrue(text.contains("FIFO"), text)
    }

    // MARK: GGUF

    /// A GGUF with llama metadata (width 8, 2 heads) and only a token embedding.
    func gguf(_ overrides: [String: GGUFValue]) throws -> GGUFFile {
        var writer = GGUFWriter()
        var meta: [String: GGUFValue] = [
            "general.architecture": .string("llama"), "llama.block_count": .uint32(2), "llama.embedding_length": .uint32(8),
            "llama.feed_forward_length": .uint32(16), "llama.attention.head_count": .uint32(2), "llama.context_length": .uint32(64),
            "llama.attention.layer_norm_rms_epsilon": .float32(1e-5),
        ]
        for (k, v) in overrides { meta[k] = v }
        for (k, v) in meta.sorted(by: { $0.key < $1.key }) { writer.set(k, v) }
        try writer.addTensor(name: "token_embd.weight", dims: [8, 16], type: .f32, values: [Float](repeating: 0, count: 128))
        return try GGUFFile(bytes: writer.serialized(), name: "hostile.gguf")
    }

    func testGGUFHugeMetadataNamesTheGGUFKey() throws {
        let text = message { try LlamaModel.load(gguf: gguf(["llama.block_count": .uint64(1 << 40)])) }
        XCTAssertTrue(text.contains("llama.block_count is 1099511627776, above the bound 1024"), text)
        let wide = message { try LlamaModel.load(gguf: gguf(["llama.embedding_length": .uint32(1 << 20)])) }
        XCTAssertTrue(wide.contains("llama.embedding_length is 1048576, above the bound 65536"), wide)
    }

    func testGGUFMissingTensorsAreFoundBeforeAllocation() throws {
        // Bounded but large sizes (1024 layers of width 65,536): the file holds none of the tensors.
        let text = message {
            try LlamaModel.load(gguf: gguf(["llama.block_count": .uint32(1024), "llama.embedding_length": .uint32(65536),
                                            "llama.feed_forward_length": .uint32(262_144), "llama.attention.head_count": .uint32(512)]))
        }
        XCTAssertTrue(text.contains("token_embd.weight") || text.contains("missing tensor"), text)
    }
}
