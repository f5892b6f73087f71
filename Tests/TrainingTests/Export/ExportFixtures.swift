import Foundation
import Models
import TensorCore
@testable import Training

/// The tiny model (2 layers, width 64, 4 heads, 2 kv heads, head dim 16, MLP 176) with a LoRA
/// adapter whose B is random, so merging changes every adapted weight.
enum ExportFixtures {
    static func tinyWithAdapter(targets: LoRATargets = .allLinear, rsLoRA: Bool = false, seed: UInt64 = 7) throws -> (LlamaModel, LoRAAdapter) {
        let model = try LoadedModel.tiny(seed: seed).model
        let adapter = try addAdapter(to: model, targets: targets, rsLoRA: rsLoRA, seed: seed)
        return (model, adapter)
    }

    /// Applies LoRA r=4 alpha=8 to `model` and fills every B with N(0, 0.05²).
    static func addAdapter(to model: LlamaModel, targets: LoRATargets = .allLinear, rsLoRA: Bool = false, seed: UInt64 = 7) throws -> LoRAAdapter {
        let adapter = try LoRAApplier.apply(LoRAConfiguration(rank: 4, alpha: 8, targets: targets, useRSLoRA: rsLoRA, seed: seed), to: model)
        var rng = RandomGenerator(seed: seed, purpose: "test.b")
        for (_, layer) in adapter.layers {
            let b = layer.b
            withExtendedLifetime(b) { for i in 0..<b.count { b.pointer[i] = Float(0.05 * rng.normal()) } }
        }
        adapter.setTraining(false)
        return adapter
    }

    /// Two rows of 12 byte tokens.
    static let tokens: [Int32] = Array("Hello, tiny!".utf8.map { Int32($0) }) + Array("export gguf?".utf8.map { Int32($0) })

    /// Logits `[24, V]` of `model` for `tokens` as 2 rows.
    static func logits(_ model: LlamaModel) -> [Float] {
        let y = model.logits(tokens: tokens, batch: 2, tape: Tape(recording: false))
        return withExtendedLifetime(y) { y.values }
    }

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attune-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
