import Foundation
import ModelFormats
import Models
import TensorCore
import XCTest
@testable import Training

/// The llama.cpp LoRA adapter file: the metadata `llama_adapter_lora_init` checks, the tensor names
/// and shapes `convert_lora_to_gguf.py` writes, A unchanged, and B's Q/K rows in llama.cpp's order.
final class GGUFAdapterExportTests: XCTestCase {
    func testAdapterFileReadsBackWithLlamaCppNamesShapesAndValues() throws {
        let (model, adapter) = try ExportFixtures.tinyWithAdapter()
        let config = model.config
        let folder = try ExportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("adapter.gguf")
        try GGUFAdapterExport.write(adapter, config: config, name: "tiny LoRA", to: url)
        let file = try GGUFFile(contentsOf: url)

        XCTAssertEqual(file["general.type"]?.string, "adapter")
        XCTAssertEqual(file["general.architecture"]?.string, "llama")
        XCTAssertEqual(file["adapter.type"]?.string, "lora")
        XCTAssertEqual(file["adapter.lora.alpha"], .float32(8))
        XCTAssertEqual(file.tensors.count, 2 * 2 * 7)
        XCTAssertEqual(file.tensors.prefix(2).map(\.name), ["blk.0.attn_q.weight.lora_a", "blk.0.attn_q.weight.lora_b"])

        for (module, layer) in adapter.layers {
            let base = try XCTUnwrap(GGUFTensorNames.gguf(fromHuggingFace: module + ".weight"))
            let a = try XCTUnwrap(file.tensorInfo(named: base + ".lora_a"))
            let b = try XCTUnwrap(file.tensorInfo(named: base + ".lora_b"))
            // llama.cpp: model ne[0] (in) == a.ne[0], model ne[1] (out) == b.ne[1], a.ne[1] == b.ne[0] == R.
            XCTAssertEqual(a.dims, [layer.inFeatures, 4], base)
            XCTAssertEqual(b.dims, [4, layer.outFeatures], base)
            XCTAssertEqual(a.type, .f32)
            XCTAssertEqual(b.type, .f32)
            XCTAssertEqual(try file.tensor(named: a.name).dequantized(), layer.a.values, "\(base) lora_a is PEFT's A as is")

            let stored = try file.tensor(named: b.name).dequantized()
            let hf = layer.b.values
            let heads = module.hasSuffix("q_proj") ? config.heads : module.hasSuffix("k_proj") ? config.kvHeads : nil
            let sourceRows = heads.map { GGUFTensorNames.rotaryPermutation(heads: $0, headDim: config.headDim) }
                ?? Array(0..<layer.outFeatures)
            for (row, from) in sourceRows.enumerated() {
                XCTAssertEqual(Array(stored[(row * 4)..<(row * 4 + 4)]), Array(hf[(from * 4)..<(from * 4 + 4)]), "\(base) row \(row)")
            }
            if heads != nil { XCTAssertNotEqual(stored, hf, "\(base): Q/K rows must be permuted") } else { XCTAssertEqual(stored, hf) }
        }
    }

    /// llama.cpp scales by `alpha / R` only, so rsLoRA's `alpha / √R` is written as `alpha' = s·R`.
    func testRSLoRAScaleIsCarriedByTheAlphaLlamaCppReads() throws {
        let (model, adapter) = try ExportFixtures.tinyWithAdapter(targets: .modules(["q_proj", "v_proj"]), rsLoRA: true)
        let file = try GGUFFile(bytes: GGUFAdapterExport.writer(adapter, config: model.config).serialized())
        guard case .float32(let alpha) = try XCTUnwrap(file["adapter.lora.alpha"]) else { return XCTFail("alpha is not float32") }
        XCTAssertEqual(alpha / 4, 8 / 2, accuracy: 1e-6, "scale = 8/√4")
        XCTAssertEqual(file.tensors.count, 2 * 2 * 2)
        XCTAssertNotNil(file.tensorInfo(named: "blk.1.attn_v.weight.lora_b"))
    }
}
