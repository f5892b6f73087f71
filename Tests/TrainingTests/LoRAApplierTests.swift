import Models
import TensorCore
import XCTest
@testable import Training

final class LoRAApplierTests: XCTestCase {
    static let tiny = LlamaConfiguration(vocabSize: 256, hiddenSize: 64, intermediateSize: 176, layers: 2, heads: 4, kvHeads: 2)

    func testTrainableCountOfA2048WideLlamaFromTheConfigurationAlone() throws {
        // REFERENCE.md: 16 × (8·(2048+2048) + 8·(2048+512)) = 851,968 (no weights allocated).
        let config = LlamaConfiguration(vocabSize: 32_000, hiddenSize: 2048, intermediateSize: 5632, layers: 16, heads: 32, kvHeads: 8)
        XCTAssertEqual(try LoRAConfiguration(rank: 8, alpha: 16).trainableParameterCount(for: config), 851_968)
        XCTAssertEqual(try LoRAConfiguration(rank: 4).trainableParameterCount(for: Self.tiny), 1_792)
        // all-linear: q (64+64), k, v (64+32), o (64+64), gate, up (64+176), down (176+64), times r and layers.
        let all = try LoRAConfiguration(rank: 2, targets: .allLinear).trainableParameterCount(for: Self.tiny)
        XCTAssertEqual(all, 2 * 2 * (128 + 96 + 96 + 128 + 240 + 240 + 240))
        XCTAssertEqual(try LoRAConfiguration(rank: 4, layers: [1]).trainableParameterCount(for: Self.tiny), 896)
    }

    func testApplyWrapsTargetsFreezesBaseAndNamesLikePEFT() throws {
        let model = try LlamaModel(config: Self.tiny)
        model.parameters.makeTrainable()
        let adapter = try LoRAApplier.apply(LoRAConfiguration(rank: 4, alpha: 8, layers: [1], seed: 3), to: model)
        XCTAssertEqual(adapter.trainableParameterCount, 896)
        XCTAssertEqual(adapter.parameters.tensors.map(\.name), [
            "base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight", "base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight",
            "base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight", "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight",
        ])
        XCTAssertTrue(model.parameters.tensors.allSatisfy { !$0.requiresGrad && $0.grad == nil })
        XCTAssertTrue(model.linears["model.layers.1.self_attn.q_proj"] is LoRALinear)
        XCTAssertTrue(model.linears["model.layers.0.self_attn.q_proj"] is DenseLinear)
        XCTAssertTrue(model.linears["model.layers.1.self_attn.k_proj"] is DenseLinear)
        // A: Kaiming-uniform within 1/√in, not degenerate; B: zeros.
        let a = adapter.layer("model.layers.1.self_attn.q_proj")!.a.values
        XCTAssertLessThanOrEqual(a.map { abs($0) }.max()!, 1 / Float(64).squareRoot())
        XCTAssertGreaterThan(a.map { abs($0) }.max()!, 0.1)
        XCTAssertEqual(abs(a.reduce(0, +) / Float(a.count)), 0, accuracy: 0.03)
        XCTAssertTrue(adapter.layer("model.layers.1.self_attn.q_proj")!.b.values.allSatisfy { $0 == 0 })
        // Same seed → same A; another seed → another A.
        let again = try LoRAApplier.apply(LoRAConfiguration(rank: 4, alpha: 8, layers: [1], seed: 3), to: try LlamaModel(config: Self.tiny))
        XCTAssertEqual(again.parameters.snapshot(), adapter.parameters.snapshot())
        let other = try LoRAApplier.apply(LoRAConfiguration(rank: 4, alpha: 8, layers: [1], seed: 4), to: try LlamaModel(config: Self.tiny))
        XCTAssertNotEqual(other.parameters.snapshot(), adapter.parameters.snapshot())
        // A second adapter on the same module is refused; removal restores the base.
        XCTAssertThrowsError(try LoRAApplier.apply(LoRAConfiguration(rank: 4, layers: [1]), to: model)) {
            XCTAssertEqual($0 as? TrainingError, .alreadyAdapted(module: "model.layers.1.self_attn.q_proj"))
        }
        adapter.remove(from: model)
        XCTAssertTrue(model.linears.values.allSatisfy { $0 is DenseLinear })
    }

    func testScaleAndRSLoRA() {
        XCTAssertEqual(LoRAConfiguration(rank: 16, alpha: 32).scale, 2)
        XCTAssertEqual(LoRAConfiguration(rank: 16, alpha: 32, useRSLoRA: true).scale, 8)
    }

    func testBadSettingsNameTheSettingAndSuggestAFix() throws {
        let model = try LlamaModel(config: Self.tiny)
        XCTAssertThrowsError(try LoRAApplier.apply(LoRAConfiguration(targets: .modules(["q_prj"])), to: model)) {
            XCTAssertEqual($0 as? TrainingError, .unknownTarget("q_prj", suggestion: "q_proj", known: LlamaModel.projectionNames))
            XCTAssertTrue("\($0)".contains("did you mean 'q_proj'"), "\($0)")
        }
        XCTAssertThrowsError(try LoRAApplier.apply(LoRAConfiguration(rank: 0), to: model)) { XCTAssertTrue("\($0)".hasPrefix("r = 0")) }
        XCTAssertThrowsError(try LoRAApplier.apply(LoRAConfiguration(dropout: 1), to: model))
        XCTAssertThrowsError(try LoRAApplier.apply(LoRAConfiguration(layers: [2]), to: model)) {
            XCTAssertEqual($0 as? TrainingError, .layerOutOfRange(2, layers: 2))
        }
        // Nothing was changed by the failed attempts.
        XCTAssertTrue(model.linears.values.allSatisfy { $0 is DenseLinear })
    }

    func testFullFineTuningMakesEveryParameterTrainable() throws {
        let model = try LlamaModel(config: Self.tiny)
        let parameters = try FullFineTuning.apply(to: model)
        XCTAssertEqual(parameters.count, Self.tiny.parameterCount)
        XCTAssertTrue(model.parameters.tensors.allSatisfy { $0.requiresGrad && $0.grad != nil })
        _ = try LoRAApplier.apply(LoRAConfiguration(), to: model)
        XCTAssertThrowsError(try FullFineTuning.apply(to: model))
    }
}
