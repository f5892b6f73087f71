import Foundation
import ModelFormats
import Models
import TensorCore
import XCTest
@testable import Training

/// Merging `W + s·B·A` and writing the merged model as GGUF (F32, F16, Q8_0, Q4_0) and as a
/// Hugging Face folder: read back through Attune's own loaders, the files compute the logits the
/// base with its adapter computes. The GGUF loader un-permutes Q/K, so an F32 file matching to
/// float rounding is the check that the export permuted them exactly as llama.cpp does.
final class MergedExportTests: XCTestCase {
    func testInMemoryMergeEqualsBasePlusAdapter() throws {
        let (model, adapter) = try ExportFixtures.tinyWithAdapter()
        let reference = ExportFixtures.logits(model)
        let merged = try MergedWeights(model: model, adapter: adapter).denseModel()
        XCTAssertLessThan(relativeError(ExportFixtures.logits(merged), reference), 1e-5)
        // The adapter really changes the model (otherwise every check below would be vacuous).
        adapter.remove(from: model)
        XCTAssertGreaterThan(relativeError(ExportFixtures.logits(model), reference), 1e-2)
    }

    func testMergedGGUFReadsBackWithTheSameLogits() throws {
        let (model, adapter) = try ExportFixtures.tinyWithAdapter()
        let reference = ExportFixtures.logits(model)
        let weights = MergedWeights(model: model, adapter: adapter)
        let folder = try ExportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Tolerances relative to the largest logit: F32 is exact up to summation order; F16 keeps
        // 11 significant bits; Q8_0 and Q4_0 round each weight to 1/127 and 1/8 of its block's max.
        let tolerances: [(GGUFExportType, Float)] = [(.f32, 1e-5), (.f16, 2e-3), (.q8_0, 2e-2), (.q4_0, 0.25)]
        var errors = [String: Float]()
        for (type, tolerance) in tolerances {
            let url = folder.appendingPathComponent("merged-\(type.rawValue).gguf")
            let summary = try MergedGGUFExport.write(weights, type: type, name: "tiny", to: url)
            let file = try GGUFFile(contentsOf: url)
            XCTAssertEqual(file["general.file_type"], .uint32(type.fileType))
            XCTAssertEqual(file["llama.block_count"]?.int, 2)
            XCTAssertEqual(file["llama.rope.dimension_count"]?.int, 16)
            XCTAssertEqual(file.tensors.count, model.config.parameterShapes.count)
            XCTAssertEqual(summary.mergedTensors, 14)
            XCTAssertEqual(file.tensorInfo(named: "blk.0.attn_norm.weight")?.type, .f32)
            XCTAssertEqual(file.tensorInfo(named: "blk.0.attn_q.weight")?.dims, [64, 64])
            XCTAssertEqual(file.tensorInfo(named: "blk.0.attn_k.weight")?.dims, [64, 32])
            let down = try XCTUnwrap(file.tensorInfo(named: "blk.1.ffn_down.weight"))
            XCTAssertEqual(down.type, type == .f32 ? .f32 : .f16, "rows of 176 do not fill 32-value blocks")
            let q = try XCTUnwrap(file.tensorInfo(named: "blk.1.attn_q.weight"))
            XCTAssertEqual(q.type, type.mainType)
            XCTAssertEqual(file.tensorInfo(named: "token_embd.weight")?.type, type == .q4_0 ? .q8_0 : type.mainType)

            let loaded = try LlamaModel.load(gguf: file)
            let error = relativeError(ExportFixtures.logits(loaded), reference)
            errors[type.rawValue] = error
            XCTAssertLessThan(error, tolerance, "\(type)")
        }
        print("merged GGUF logits, max |Δ| / max |logit|:", errors.sorted { $0.key < $1.key })
        XCTAssertLessThan(errors["f16"]!, errors["q8_0"]!)
        XCTAssertLessThan(errors["q8_0"]!, errors["q4_0"]!)
    }

    /// Q/K rows: the file holds llama.cpp's order (row h·D + 2i + j = HF row h·D + j·D/2 + i).
    func testMergedGGUFStoresQAndKInLlamaCppOrder() throws {
        let (model, adapter) = try ExportFixtures.tinyWithAdapter()
        let weights = MergedWeights(model: model, adapter: adapter)
        let file = try GGUFFile(bytes: MergedGGUFExport.writer(weights, type: .f32).0.serialized())
        let c = model.config
        for (name, heads) in [("q_proj", c.heads), ("k_proj", c.kvHeads)] {
            let hf = weights.floats("model.layers.1.self_attn.\(name).weight")
            let stored = try file.tensor(named: "blk.1.attn_\(name.prefix(1)).weight").dequantized()
            let map = GGUFTensorNames.rotaryPermutation(heads: heads, headDim: c.headDim)
            for (row, from) in map.enumerated() {
                XCTAssertEqual(Array(stored[(row * 64)..<((row + 1) * 64)]), Array(hf[(from * 64)..<((from + 1) * 64)]), "\(name) row \(row)")
            }
        }
        XCTAssertEqual(try file.tensor(named: "blk.1.attn_v.weight").dequantized(), weights.floats("model.layers.1.self_attn.v_proj.weight"))
    }

    func testMergedHuggingFaceFolderReadsBackWithTheSameLogits() throws {
        let (model, adapter) = try ExportFixtures.tinyWithAdapter(targets: .modules(["q_proj", "k_proj", "v_proj", "down_proj"]))
        let reference = ExportFixtures.logits(model)
        let folder = try ExportFixtures.temporaryFolder().appendingPathComponent("merged")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let summary = try MergedHuggingFaceExport.write(MergedWeights(model: model, adapter: adapter),
                                                        extraConfig: ["eos_token_id": 258], to: folder)
        XCTAssertEqual(summary.mergedTensors, 8)
        XCTAssertEqual(summary.files, ["model.safetensors", "config.json"])
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual(config["architectures"] as? [String], ["LlamaForCausalLM"])
        XCTAssertEqual(config["model_type"] as? String, "llama")
        XCTAssertEqual(config["num_key_value_heads"] as? Int, 2)
        XCTAssertEqual(config["tie_word_embeddings"] as? Bool, true)
        XCTAssertEqual(config["eos_token_id"] as? Int, 258)
        let file = try SafetensorsFile(url: folder.appendingPathComponent("model.safetensors"))
        XCTAssertNil(file.entries.first { $0.name == "lm_head.weight" }, "tied embeddings: no lm_head")
        let loaded = try LlamaModel.loadHuggingFace(folder: folder)
        XCTAssertLessThan(relativeError(ExportFixtures.logits(loaded), reference), 1e-5)

        // BF16 halves the file and stays close.
        let bf16 = folder.deletingLastPathComponent().appendingPathComponent("merged-bf16")
        let half = try MergedHuggingFaceExport.write(MergedWeights(model: model, adapter: adapter), dtype: .bf16, to: bf16)
        XCTAssertLessThan(abs(Double(half.bytes) / Double(summary.bytes) - 0.5), 0.01)
        XCTAssertLessThan(relativeError(ExportFixtures.logits(try LlamaModel.loadHuggingFace(folder: bf16)), reference), 2e-2)
    }

    /// QLoRA over a GGUF base: the update is folded into the original Q8_0 weights (dequantized),
    /// not into the NF4 copy the run trained over; an unchanged Q8_0 tensor is copied block for block.
    func testQLoRAMergesIntoTheOriginalBaseNotTheNF4Copy() throws {
        let folder = try ExportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let baseURL = folder.appendingPathComponent("base-q8.gguf")
        let dense = try LoadedModel.tiny(seed: 11).model
        try MergedGGUFExport.write(MergedWeights(model: dense, adapter: nil), type: .q8_0, to: baseURL)
        let baseFile = try GGUFFile(contentsOf: baseURL)
        let model = try LlamaModel.load(gguf: baseFile)
        XCTAssertEqual(model.quantizedWeights["model.layers.0.self_attn.q_proj.weight"]?.type, .q8_0)

        QuantizedBase.quantizeToNF4(model, doubleQuant: true)
        let adapter = try ExportFixtures.addAdapter(to: model, targets: .modules(["q_proj", "v_proj"]))
        XCTAssertTrue(adapter.layers[0].layer.base is NF4Linear)
        let weights = MergedWeights(model: model, adapter: adapter)

        let name = "model.layers.0.self_attn.q_proj.weight"
        let layer = try XCTUnwrap(adapter.layer("model.layers.0.self_attn.q_proj"))
        let original = model.quantizedWeights[name]!.dequantized()
        let delta = layer.deltaWeight().values
        XCTAssertEqual(weights.floats(name), zip(original, delta).map { $0 + $1 })
        let nf4 = (layer.base as! NF4Linear).denseWeight().values
        XCTAssertGreaterThan(absoluteError(weights.floats(name), zip(nf4, delta).map { $0 + $1 }), 1e-4, "not the NF4 approximation")
        // Unadapted projections are the original matrices, untouched.
        guard case .quantized(let k) = weights.content("model.layers.0.self_attn.k_proj.weight") else { return XCTFail("k_proj is not the original Q8_0") }
        XCTAssertEqual(k.type, .q8_0)

        let outURL = folder.appendingPathComponent("merged-q8.gguf")
        let summary = try MergedGGUFExport.write(weights, type: .q8_0, source: baseFile, name: "tiny qlora", to: outURL)
        XCTAssertEqual(summary.mergedTensors, 4)
        let out = try GGUFFile(contentsOf: outURL)
        for tensor in ["token_embd.weight", "blk.0.attn_k.weight", "blk.1.ffn_up.weight"] {
            let a = try XCTUnwrap(baseFile.tensorInfo(named: tensor)), b = try XCTUnwrap(out.tensorInfo(named: tensor))
            XCTAssertEqual(Array(baseFile.rawBytes(of: a)), Array(out.rawBytes(of: b)), "\(tensor) copied block for block")
        }
        XCTAssertGreaterThanOrEqual(summary.copiedTensors, 1 + 2 * 5)
        // With the adapter on the original base, the in-memory merge and the written file agree.
        let reloaded = try LlamaModel.load(gguf: out)
        XCTAssertLessThan(relativeError(ExportFixtures.logits(reloaded), ExportFixtures.logits(try weights.denseModel())), 2e-2)
    }

    /// Full fine-tuning (no adapter): the merged export is the weights as they are.
    func testWithoutAnAdapterTheWeightsAreWrittenAsTheyAre() throws {
        let model = try LoadedModel.tiny(seed: 3).model
        let weights = MergedWeights(model: model, adapter: nil)
        XCTAssertFalse(weights.isAdapted("model.layers.0.self_attn.q_proj.weight"))
        let file = try GGUFFile(bytes: MergedGGUFExport.writer(weights, type: .f32).0.serialized())
        XCTAssertLessThan(relativeError(ExportFixtures.logits(try LlamaModel.load(gguf: file)), ExportFixtures.logits(model)), 1e-5)
    }
}
