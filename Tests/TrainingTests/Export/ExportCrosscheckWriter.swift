import Foundation
import ModelFormats
import Models
import TensorCore
import XCTest
@testable import Training

/// Writes every export of the tiny model with a random LoRA adapter into
/// `$ATTUNE_EXPORT_CHECK_DIR` for `Scripts/check-gguf-export`, which reads them back with
/// llama.cpp's gguf-py, safetensors and numpy (a second reader, and an independent merge and Q/K
/// permutation). Skipped when the variable is not set.
final class ExportCrosscheckWriter: XCTestCase {
    func testWriteExportsForTheSecondReader() throws {
        guard let dir = ProcessInfo.processInfo.environment["ATTUNE_EXPORT_CHECK_DIR"], !dir.isEmpty else {
            throw XCTSkip("set ATTUNE_EXPORT_CHECK_DIR to write the files Scripts/check-gguf-export reads")
        }
        let out = URL(fileURLWithPath: dir)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let (model, adapter) = try ExportFixtures.tinyWithAdapter()
        let config = model.config
        // The base alone (Hugging Face layout) and the adapter as PEFT writes it: the inputs of the
        // independent merge.
        try MergedHuggingFaceExport.write(MergedWeights(model: model, adapter: nil), to: out.appendingPathComponent("base"))
        try PEFTAdapter.save(adapter, model: config, to: out.appendingPathComponent("peft"))
        try GGUFAdapterExport.write(adapter, config: config, name: "tiny LoRA", to: out.appendingPathComponent("adapter.gguf"))
        let weights = MergedWeights(model: model, adapter: adapter)
        for type in GGUFExportType.allCases {
            try MergedGGUFExport.write(weights, type: type, name: "tiny merged", to: out.appendingPathComponent("merged-\(type.rawValue).gguf"))
        }
        try MergedHuggingFaceExport.write(weights, to: out.appendingPathComponent("merged-hf"))
        let expected: [String: Any] = [
            "heads": config.heads, "kv_heads": config.kvHeads, "head_dim": config.headDim, "layers": config.layers,
            "rank": adapter.configuration.rank, "alpha": adapter.configuration.alpha, "scale": Double(adapter.configuration.scale),
        ]
        try JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys]).write(to: out.appendingPathComponent("expected.json"))
    }
}
