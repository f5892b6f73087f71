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
        // Without checkpointing at T = 2048 the fp32 activations (about 82,000 values per token and
        // layer) rival the weights, and the rules of thumb no longer describe the run.
        let full = Estimator.estimate(.llama2_7B, TrainingSetup(method: .full, sequence: 2048))
        let lora = Estimator.estimate(.llama2_7B, TrainingSetup(method: .lora, sequence: 2048))
        XCTAssertLessThan(full.memory.total, 3 * lora.memory.total)
        XCTAssertGreaterThan(lora.memory.activations, 0.5 * lora.memory.weights)
    }

    func testSevenBillionBreakdownByHand() {
        let n = 6_738_415_616.0
        let full = Estimator.estimate(.llama2_7B, TrainingSetup(method: .full))
        XCTAssertEqual(full.memory.weights, 4 * n)
        XCTAssertEqual(full.memory.gradients, 4 * n)
        XCTAssertEqual(full.memory.optimizer, 8 * n)
        // a_layer = 4096 + 2·4096 + 3·4096 + 4096 + 2·4096 + 4096 + 3·11008 + 2·4096 = 82,176 values
        // (no attention probabilities: backward recomputes them); a_head = 3·4096; × 512 tokens × 4 bytes.
        XCTAssertEqual(full.memory.activations, 4 * 512 * (32 * 82_176 + 12_288))
        // The loss holds 262 rows (2²³ / 32000) of logits and their gradient at once; one head's
        // 512² probabilities are far smaller than what the last layer frees before attention.
        XCTAssertEqual(full.memory.workspace, 4 * 2 * 262 * 32_000)
        // NF4 with double quant: 6,476,267,520 projection weights × 4.127/8 bytes, the rest fp32.
        let qlora = Estimator.estimate(.llama2_7B, TrainingSetup(method: .qlora))
        let projections = 32.0 * 202_375_168
        XCTAssertEqual(qlora.memory.weights, projections * 4.127 / 8 + 4 * (n - projections) + 4 * 4_194_304, accuracy: 1)
        XCTAssertEqual(qlora.memory.workspace, 4 * 2 * 262 * 32_000 + 4 * 4096 * 11008)
        let noDouble = Estimator.estimate(.llama2_7B, TrainingSetup(method: .qlora, doubleQuantization: false))
        XCTAssertEqual(noDouble.memory.weights - qlora.memory.weights, projections * (0.5 - 0.127) / 8, accuracy: 1)
        // Checkpointing keeps L·C, one recomputed layer, and the head per token; LoRA r=8 on q and v
        // adds 2·8 per target to a layer (A·x and s·A·x: the update goes into the base output in
        // place) and drops what only frozen projections read: the attention output (4096), the MLP
        // norm's output (4096) and silu(gate)·up (11,008).
        let ckpt = Estimator.estimate(.llama2_7B, TrainingSetup(method: .lora, gradientCheckpointing: true))
        XCTAssertEqual(ckpt.memory.activations, 4 * 512 * Double(32 * 4096 + (82_176 - 19_200 + 2 * 16) + 12_288))
        let plain = Estimator.estimate(.llama2_7B, TrainingSetup(method: .lora))
        XCTAssertEqual(plain.memory.activations, 4 * 512 * Double(32 * (82_176 - 19_200 + 2 * 16) + 12_288))
        // Above rank 256 the update has K blocks of its own and is added unfused: base output and
        // update kept beside the sum, 2·4096 more per target.
        let wide = Estimator.estimate(.llama2_7B, TrainingSetup(method: .lora, loraRank: 512, gradientCheckpointing: true))
        XCTAssertEqual(wide.memory.activations, 4 * 512 * Double(32 * 4096 + (82_176 - 19_200 + 2 * (8_192 + 1024)) + 12_288))
        // Dropout keeps a masked copy of each adapted input, and then no projection reads the
        // attention norm's output itself (k is frozen, q and v read their copies): 2·4096 − 4096
        // per layer; with checkpointing, in the one recomputed layer.
        var dropout = TrainingSetup(method: .lora, gradientCheckpointing: true)
        dropout.loraDropout = true
        XCTAssertEqual(Estimator.estimate(.llama2_7B, dropout).memory.activations - ckpt.memory.activations, 4 * 512 * 4096)
        dropout.gradientCheckpointing = false
        XCTAssertEqual(Estimator.estimate(.llama2_7B, dropout).memory.activations - plain.memory.activations, 4 * 512 * 32 * 4096)
        // LoRA on every projection reads every input: nothing dropped.
        let all = Estimator.estimate(.llama2_7B, TrainingSetup(method: .lora, loraTargets: LoRATarget.allCases, gradientCheckpointing: true))
        XCTAssertEqual(all.memory.activations, 4 * 512 * Double(32 * 4096 + (82_176 + 2 * 8 * 7) + 12_288))
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
        // Per token: projections 2·P_mm forward, as much again for the activations' gradients and
        // for the weights'; attention 4·L·H·D·T forward + 10·L·H·D·T backward (T = 128 fits one
        // causal block, so every query runs over all 128 keys); 1024 tokens per step.
        let projections = 2.0 * Double(30 * 3_538_944 + 49_152 * 576)
        let attention = 30.0 * 576 * 128
        XCTAssertEqual(estimate.flopsPerStep, (3 * projections + 14 * attention) * 1024)
        XCTAssertEqual(estimate.attentionFlopsPerStep, 14 * attention * 1024)
        XCTAssertEqual(estimate.secondsPerStep!, estimate.flopsPerStep / 1e11, accuracy: 1e-12)
        XCTAssertEqual(estimate.secondsPerEpoch!, 10 * estimate.secondsPerStep!, accuracy: 1e-12)
        // ≈ 6·N per token for full, ≈ 4·N for LoRA (within the attention and embedding terms).
        XCTAssertEqual(estimate.flopsPerStep / 1024 / (6 * Double(shape.parameterCount)), 1, accuracy: 0.2)
        let lora = Estimator.estimate(shape, TrainingSetup(method: .lora, sequence: 128), throughput: .tokensPerSecond(256))
        XCTAssertEqual(lora.flopsPerStep, (2 * projections + 6 * 460_800 + 14 * attention) * 128)
        XCTAssertEqual(lora.secondsPerStep!, 0.5)
        let ckpt = Estimator.estimate(shape, TrainingSetup(method: .lora, gradientCheckpointing: true, sequence: 128))
        XCTAssertEqual(ckpt.flopsPerStep - lora.flopsPerStep, (projections + 4 * attention) * 128)
        // Past one block the queries skip the masked keys block by block: 2048 tokens run over
        // 1152 keys on average (T/2 + 128), not 2048.
        let long = Estimator.estimate(shape, TrainingSetup(method: .lora, sequence: 2048))
        XCTAssertEqual(long.attentionFlopsPerStep, 14 * 30 * 576 * 1152 * 2048)
        // Time weighs attention by its lower share of the sgemm speed.
        let seconds = Estimator.timeSeconds(long, sgemmGFLOPs: 100)
        let expected = ((long.flopsPerStep - long.attentionFlopsPerStep) / Estimator.projectionEfficiency
            + long.attentionFlopsPerStep / Estimator.attentionEfficiency) / 1e11
        XCTAssertEqual(seconds, expected, accuracy: 1e-9)
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
