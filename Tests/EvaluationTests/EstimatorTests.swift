import Foundation
import XCTest
@testable import Evaluation

final class EstimatorTests: XCTestCase {
    func testPublishedParameterCounts() {
        // The counts Hugging Face reports for each checkpoint.
        let expected: [(ModelShape, Int)] = [
            (.smolLM2_135M, 134_515_008), (.smolLM2_360M, 361_821_120), (.llama3_2_1B, 1_235_814_400),
            (.llama2_7B, 6_738_415_616), (.llama3_8B, 8_030_261_248), (.llama2_13B, 13_015_864_320),
            (.llama2_70B, 68_976_648_192), (.llama3_70B, 70_553_706_496),
        ]
        for (shape, count) in expected {
            XCTAssertEqual(shape.parameterCount, count, shape.name)
        }
        XCTAssertEqual(ModelShape.named("7B"), .llama2_7B)
        XCTAssertEqual(ModelShape.named("smollm2-135m"), .smolLM2_135M)
        XCTAssertEqual(ModelShape.named("Llama-3-8B"), .llama3_8B)
        XCTAssertNil(ModelShape.named("gpt-5"))
    }

    func testLoRAParameterCounts() {
        // REFERENCE.md check value: width 2048, 8 kv heads × 64, 16 layers, r=8 on q and v:
        // 16 × (8·(2048+2048) + 8·(2048+512)) = 851,968.
        XCTAssertEqual(ModelShape.llama3_2_1B.loraParameters(rank: 8, targets: [.q, .v]), 851_968)
        // SmolLM2-135M r=8 q,v: 30 × (8·(576+576) + 8·(576+192)) = 460,800.
        XCTAssertEqual(ModelShape.smolLM2_135M.loraParameters(rank: 8, targets: [.q, .v]), 460_800)
        // Llama 2 7B, r=8 q,v: 32 × 2 × 8·(4096+4096) = 4,194,304.
        XCTAssertEqual(ModelShape.llama2_7B.loraParameters(rank: 8, targets: [.q, .v]), 4_194_304)
        // All seven on SmolLM2-135M, r=16: per layer 16·(4·576... ) computed term by term.
        let perLayer = 16 * ((576 + 576) + (576 + 192) + (576 + 192) + (576 + 576) + 2 * (576 + 1536) + (1536 + 576))
        XCTAssertEqual(ModelShape.smolLM2_135M.loraParameters(rank: 16, targets: LoRATarget.allCases), 30 * perLayer)
    }

    func testConfigJSONDecodes() throws {
        let json = #"{"_name_or_path": "HuggingFaceTB/SmolLM2-135M", "hidden_size": 576, "intermediate_size": 1536, "num_attention_heads": 9, "num_hidden_layers": 30, "num_key_value_heads": 3, "tie_word_embeddings": true, "vocab_size": 49152, "rope_theta": 100000}"#
        let shape = try JSONDecoder().decode(ModelShape.self, from: Data(json.utf8))
        XCTAssertEqual(shape.parameterCount, 134_515_008)
        XCTAssertEqual(shape.headDim, 64)
    }

    func testSevenBillionMatchesTheGuidesRatios() {
        // The guide's ratios hold while weights dominate: short sequences, or checkpointing.
        for (checkpointing, sequence) in [(false, 256), (false, 512), (true, 256), (true, 512), (true, 1024), (true, 2048)] {
            let full = Estimator.estimate(.llama2_7B, TrainingSetup(method: .full, gradientCheckpointing: checkpointing, sequence: sequence))
            let lora = Estimator.estimate(.llama2_7B, TrainingSetup(method: .lora, gradientCheckpointing: checkpointing, sequence: sequence))
            let qlora = Estimator.estimate(.llama2_7B, TrainingSetup(method: .qlora, gradientCheckpointing: checkpointing, sequence: sequence))
            let context = "checkpointing \(checkpointing), T \(sequence)"
            XCTAssertGreaterThanOrEqual(full.memory.total, 3 * lora.memory.total, context)
            XCTAssertLessThanOrEqual(qlora.memory.total, 0.5 * lora.memory.total, context)
        }
        // Without checkpointing at T = 1024 the fp32 activations (32 heads × 1024 probabilities per
        // token and layer) rival the weights, and the rules of thumb no longer describe the run.
        let full = Estimator.estimate(.llama2_7B, TrainingSetup(method: .full, sequence: 1024))
        let lora = Estimator.estimate(.llama2_7B, TrainingSetup(method: .lora, sequence: 1024))
        XCTAssertLessThan(full.memory.total, 3 * lora.memory.total)
        XCTAssertGreaterThan(lora.memory.activations, 0.5 * lora.memory.weights)
    }

    func testSevenBillionBreakdownByHand() {
        let n = 6_738_415_616.0
        let full = Estimator.estimate(.llama2_7B, TrainingSetup(method: .full))
        XCTAssertEqual(full.memory.weights, 4 * n)
        XCTAssertEqual(full.memory.gradients, 4 * n)
        XCTAssertEqual(full.memory.optimizer, 8 * n)
        // a_layer = 4096 + 2·4096 + 3·4096 + 4096 + 32·512 + 2·4096 + 4096 + 3·11008 + 2·4096
        //         = 98,560 values; a_head = 2·4096; one layer of gradients on top; × 512 tokens × 4 bytes.
        XCTAssertEqual(full.memory.activations, 4 * 512 * (33 * 98_560 + 8_192))
        XCTAssertEqual(full.memory.workspace, 4 * 2 * 8_388_608)
        // NF4 with double quant: 6,476,267,520 projection weights × 4.127/8 bytes, the rest fp32.
        let qlora = Estimator.estimate(.llama2_7B, TrainingSetup(method: .qlora))
        let projections = 32.0 * 202_375_168
        XCTAssertEqual(qlora.memory.weights, projections * 4.127 / 8 + 4 * (n - projections) + 4 * 4_194_304, accuracy: 1)
        XCTAssertEqual(qlora.memory.workspace, 4 * 2 * 8_388_608 + 4 * 4096 * 11008)
        let noDouble = Estimator.estimate(.llama2_7B, TrainingSetup(method: .qlora, doubleQuantization: false))
        XCTAssertEqual(noDouble.memory.weights - qlora.memory.weights, projections * (0.5 - 0.127) / 8, accuracy: 1)
        // Checkpointing keeps L·C, one recomputed layer and its gradients, and the head per token;
        // LoRA r=8 on q and v adds 2·4096 + 2·8 per target to a layer.
        let ckpt = Estimator.estimate(.llama2_7B, TrainingSetup(method: .lora, gradientCheckpointing: true))
        XCTAssertEqual(ckpt.memory.activations, 4 * 512 * Double(32 * 4096 + 2 * (98_560 + 2 * (8_192 + 16)) + 8_192))
        // Dropout keeps a masked copy of each adapted input; a base loaded quantized counts its bytes.
        var dropout = TrainingSetup(method: .lora, gradientCheckpointing: true)
        dropout.loraDropout = true
        XCTAssertEqual(Estimator.estimate(.llama2_7B, dropout).memory.activations - ckpt.memory.activations, 4 * 512 * 2 * 2 * 4096)
        var gguf = TrainingSetup(method: .lora)
        gguf.baseWeightBytes = 3.8e9
        XCTAssertEqual(Estimator.estimate(.llama2_7B, gguf).memory.weights, 3.8e9 + 4 * 4_194_304)
        // Rules of thumb on the fp32 model size.
        XCTAssertEqual(full.ruleOfThumb.full, 16 * n)
        XCTAssertEqual(full.ruleOfThumb.qlora, 0.3 * 4 * n, accuracy: 1)
    }

    func testFLOPsAndTime() {
        let shape = ModelShape.smolLM2_135M
        let setup = TrainingSetup(method: .full, batch: 2, sequence: 128, accumulation: 4)
        let estimate = Estimator.estimate(shape, setup, throughput: .gflops(100), datasetTokens: 10_240)
        // F = 2·P_mm + 2·L·T·H·D per token; full = 3F per token; 1024 tokens per step.
        let forward = 2.0 * Double(30 * 3_538_944 + 49_152 * 576) + 2.0 * 30 * 128 * 576
        XCTAssertEqual(estimate.flopsPerStep, 3 * forward * 1024)
        XCTAssertEqual(estimate.secondsPerStep!, 3 * forward * 1024 / 1e11, accuracy: 1e-12)
        XCTAssertEqual(estimate.secondsPerEpoch!, 10 * estimate.secondsPerStep!, accuracy: 1e-12)
        // ≈ 6·N per token for full, ≈ 4·N for LoRA (within the attention and embedding terms).
        XCTAssertEqual(estimate.flopsPerStep / 1024 / (6 * Double(shape.parameterCount)), 1, accuracy: 0.2)
        let lora = Estimator.estimate(shape, TrainingSetup(method: .lora, sequence: 128), throughput: .tokensPerSecond(256))
        XCTAssertEqual(lora.flopsPerStep, (2 * forward + 6 * 460_800) * 128)
        XCTAssertEqual(lora.secondsPerStep!, 0.5)
        let ckpt = Estimator.estimate(shape, TrainingSetup(method: .lora, gradientCheckpointing: true, sequence: 128))
        XCTAssertEqual(ckpt.flopsPerStep - lora.flopsPerStep, forward * 128)
    }

    func testSevenBillionReport() {
        for method in FineTuningMethod.allCases {
            let estimate = Estimator.estimate(.llama2_7B, TrainingSetup(method: method), throughput: .gflops(150))
            print(estimate.text)
        }
        print(RuleOfThumb(modelSize: 4 * 6_738_415_616).text)
        let text = Estimator.estimate(.llama2_7B, TrainingSetup(method: .lora)).text
        XCTAssertTrue(text.hasPrefix("estimate Llama-2-7B, LoRA r=8 [q_proj, v_proj], batch 1 × 512 tokens\n  parameters 6.74e9, trainable 4.19e6 (0.0622%)"), text)
    }
}
