import Foundation
import ModelFormats
import Models
import TensorCore
import XCTest
@testable import Training

final class PEFTAdapterTests: XCTestCase {
    func tinyModel() throws -> LlamaModel { try LlamaModel.loadHuggingFace(folder: ReferenceFixtures.url("tiny-llama/model")) }

    func configObject(_ url: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url.appendingPathComponent("adapter_config.json"))) as! [String: Any]
    }

    func testLoadSaveReadBackGivesSameTensorsAndConfig() throws {
        let source = try ReferenceFixtures.url("tiny-llama/adapter_initial")
        let model = try tinyModel()
        let adapter = try PEFTAdapter.load(folder: source, into: model)
        let out = try temporaryDirectory(self).appendingPathComponent("adapter")
        try PEFTAdapter.save(adapter, model: model.config, to: out)

        // Same tensors, bit for bit, same names, shapes, dtype and order.
        let original = try SafetensorsFile(url: source.appendingPathComponent("adapter_model.safetensors"))
        let written = try SafetensorsFile(url: out.appendingPathComponent("adapter_model.safetensors"))
        XCTAssertEqual(written.entries.map(\.name), original.entries.map(\.name))
        XCTAssertEqual(written.entries.map(\.shape), original.entries.map(\.shape))
        XCTAssertEqual(written.entries.map(\.dtype), original.entries.map(\.dtype))
        XCTAssertEqual(written.metadata, original.metadata)
        for name in original.names { XCTAssertEqual(try written.bytes(name), try original.bytes(name), name) }

        // Same config values, key by key (compared as parsed JSON).
        let a = try configObject(source), b = try configObject(out)
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for key in a.keys {
            XCTAssertEqual(NSDictionary(dictionary: [key: a[key]!]), NSDictionary(dictionary: [key: b[key]!]), key)
        }

        // And it reads back into a fresh model identically.
        let model2 = try tinyModel()
        let again = try PEFTAdapter.load(folder: out, into: model2)
        XCTAssertEqual(again.parameters.snapshot(), adapter.parameters.snapshot())
        XCTAssertEqual(again.configuration, adapter.configuration)
    }

    func testFreshAdapterWritesPEFTConfig() throws {
        let model = try tinyModel()
        let adapter = try LoRAApplier.apply(LoRAConfiguration(rank: 8, alpha: 16, dropout: 0.05, targets: .allLinear, layers: [0], useRSLoRA: true), to: model)
        adapter.baseModelName = "attune/tiny-llama"
        let out = try temporaryDirectory(self)
        try PEFTAdapter.save(adapter, model: model.config, to: out)
        let c = try configObject(out)
        XCTAssertEqual(c["peft_type"] as? String, "LORA")
        XCTAssertEqual(c["task_type"] as? String, "CAUSAL_LM")
        XCTAssertEqual(c["r"] as? Int, 8)
        XCTAssertEqual(c["lora_alpha"] as? Int, 16)
        XCTAssertEqual(c["lora_dropout"] as? Double, 0.05)
        XCTAssertEqual(c["target_modules"] as? [String], LlamaModel.projectionNames)
        XCTAssertEqual(c["layers_to_transform"] as? [Int], [0])
        XCTAssertEqual(c["use_rslora"] as? Bool, true)
        XCTAssertEqual(c["bias"] as? String, "none")
        XCTAssertEqual(c["fan_in_fan_out"] as? Bool, false)
        XCTAssertEqual(c["init_lora_weights"] as? Bool, true)
        XCTAssertEqual(c["base_model_name_or_path"] as? String, "attune/tiny-llama")
        XCTAssertTrue(c["modules_to_save"] is NSNull)
        let text = try String(contentsOf: out.appendingPathComponent("adapter_config.json"), encoding: .utf8)
        XCTAssertTrue(text.contains("\n  \"lora_dropout\": 0.05,\n"), text)
        // Reads back with the same settings.
        let back = try PEFTAdapter.readConfiguration(folder: out)
        XCTAssertEqual(back.lora.rank, 8)
        XCTAssertEqual(back.lora.targets, .modules(LlamaModel.projectionNames))
        XCTAssertEqual(back.lora.layers, [0])
        XCTAssertTrue(back.lora.useRSLoRA)
        XCTAssertEqual(back.lora.dropout, 0.05)
    }

    func testInterleavedQKRowsAreWrittenInHuggingFaceOrder() throws {
        var config = LlamaConfiguration(vocabSize: 16, hiddenSize: 8, intermediateSize: 16, layers: 1, heads: 2, kvHeads: 1)
        config.ropeLayout = .interleaved
        let model = try LlamaModel(config: config)
        let adapter = try LoRAApplier.apply(LoRAConfiguration(rank: 1, targets: .modules(["q_proj", "k_proj", "v_proj"])), to: model)
        for (_, layer) in adapter.layers { for i in 0..<layer.b.count { layer.b[flat: i] = Float(i) } }
        let out = try temporaryDirectory(self)
        try PEFTAdapter.save(adapter, model: config, to: out)
        let file = try SafetensorsFile(url: out.appendingPathComponent("adapter_model.safetensors"))
        // Head dim 4: interleaved rows (0,1,2,3) = pairs (x0,x1)(x2,x3) ↔ HF rows (0,2,1,3).
        XCTAssertEqual(try file.floats(LoRAAdapter.nameB("model.layers.0.self_attn.q_proj")), [0, 2, 1, 3, 4, 6, 5, 7])
        XCTAssertEqual(try file.floats(LoRAAdapter.nameB("model.layers.0.self_attn.k_proj")), [0, 2, 1, 3])
        XCTAssertEqual(try file.floats(LoRAAdapter.nameB("model.layers.0.self_attn.v_proj")), [0, 1, 2, 3])
        let back = try PEFTAdapter.load(folder: out, into: try LlamaModel(config: config))
        XCTAssertEqual(back.parameters.snapshot(), adapter.parameters.snapshot())
    }

    // MARK: Bad files

    /// Copies `adapter_initial` to a temporary folder, lets `edit` damage it, and returns the
    /// error loading it gives.
    func loadError(config edit: (inout [String: Any]) -> Void = { _ in }, rawConfig: String? = nil,
                   tensors: ((inout [SafetensorsWriter.Item]) -> Void)? = nil) throws -> ModelFileError {
        let source = try ReferenceFixtures.url("tiny-llama/adapter_initial")
        let folder = try temporaryDirectory(self)
        var config = try configObject(source)
        edit(&config)
        let configData = try rawConfig.map { Data($0.utf8) } ?? JSONSerialization.data(withJSONObject: config)
        try configData.write(to: folder.appendingPathComponent("adapter_config.json"))
        let original = try SafetensorsFile(url: source.appendingPathComponent("adapter_model.safetensors"))
        var items = try original.entries.map { SafetensorsWriter.Item(name: $0.name, shape: $0.shape, values: try original.floats($0.name)) }
        tensors?(&items)
        try SafetensorsWriter.write(items, to: folder.appendingPathComponent("adapter_model.safetensors"))
        let model = try tinyModel()
        do {
            _ = try PEFTAdapter.load(folder: folder, into: model)
        } catch let error as ModelFileError {
            XCTAssertTrue(model.linears.values.allSatisfy { $0 is DenseLinear }, "a failed load leaves the model untouched")
            return error
        }
        XCTFail("loading succeeded")
        return ModelFileError(file: "", "")
    }

    func testMissingTensorNamesFileAndKey() throws {
        let key = "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight"
        let error = try loadError(tensors: { $0.removeAll { $0.name == key } })
        XCTAssertTrue(error.file.hasSuffix("adapter_model.safetensors"))
        XCTAssertEqual(error.entry, key)
        XCTAssertTrue(error.problem.hasPrefix("missing"), "\(error)")
    }

    func testWrongShapeNamesKeyAndExpectedShape() throws {
        let key = "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"
        let error = try loadError(tensors: { items in
            let i = items.firstIndex { $0.name == key }!
            items[i] = SafetensorsWriter.Item(name: key, shape: [4, 32], values: [Float](repeating: 0, count: 128))
        })
        XCTAssertEqual(error.entry, key)
        XCTAssertTrue("\(error)".contains("[4, 32] does not match [r, in] = [4, 64]"), "\(error)")
    }

    func testRankMismatchNamesR() throws {
        let error = try loadError(config: { $0["r"] = 8 })
        XCTAssertEqual(error.entry, "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")
        XCTAssertTrue("\(error)".contains("r = 8 from adapter_config.json"), "\(error)")
    }

    func testMalformedJSONNamesTheConfigFile() throws {
        let error = try loadError(rawConfig: "{\"r\": 4, \"lora_alpha\": ")
        XCTAssertTrue(error.file.hasSuffix("adapter_config.json"))
        XCTAssertTrue(error.problem.hasPrefix("not valid JSON"), "\(error)")
    }

    func testUnsupportedOrMissingConfigKeysAreNamed() throws {
        XCTAssertEqual(try loadError(config: { $0["peft_type"] = "IA3" }).entry, "peft_type")
        XCTAssertEqual(try loadError(config: { $0.removeValue(forKey: "target_modules") }).entry, "target_modules")
        let typo = try loadError(config: { $0["target_modules"] = ["q_prj"] })
        XCTAssertEqual(typo.entry, "target_modules")
        XCTAssertTrue(typo.problem.contains("did you mean q_proj"), "\(typo)")
        XCTAssertEqual(try loadError(config: { $0["use_dora"] = true }).entry, "use_dora")
        XCTAssertEqual(try loadError(config: { $0["r"] = "four" }).entry, "r")
        XCTAssertEqual(try loadError(config: { $0["bias"] = "all" }).entry, "bias")
    }

    func testUnexpectedTensorIsNamed() throws {
        let key = "base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight"
        let error = try loadError(tensors: { $0.append(.init(name: key, shape: [4, 64], values: [Float](repeating: 0, count: 256))) })
        XCTAssertEqual(error.entry, key)
        XCTAssertTrue(error.problem.hasPrefix("unexpected tensor"), "\(error)")
    }

    func testMissingWeightsFileIsNamed() throws {
        let folder = try temporaryDirectory(self)
        let source = try ReferenceFixtures.url("tiny-llama/adapter_initial")
        try FileManager.default.copyItem(at: source.appendingPathComponent("adapter_config.json"), to: folder.appendingPathComponent("adapter_config.json"))
        XCTAssertThrowsError(try PEFTAdapter.load(folder: folder, into: try tinyModel())) {
            XCTAssertTrue(($0 as? ModelFileError)?.file.hasSuffix("adapter_model.safetensors") ?? false, "\($0)")
        }
    }
}
