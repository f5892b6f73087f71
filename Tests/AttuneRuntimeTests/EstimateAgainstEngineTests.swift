import Evaluation
import Models
import TensorCore
import Training
import XCTest
@testable import AttuneRuntime

/// `estimate` against the engine's own account of its tensors (`TensorMemory`): one training step
/// of the tiny model (4 layers, long context) — LoRA q,v at shapes where different terms dominate
/// (many short rows, the benchmark's 4 × 256, one row of 2048 whose attention scratch outgrows the
/// loss chunk, gradient checkpointing), LoRA with dropout and on every projection (which change
/// which inputs the engine can hand back early), and full fine-tuning — and the most bytes live at
/// once during it must be within 10% of what `estimate` predicts for the same setup.
final class EstimateAgainstEngineTests: XCTestCase {
    struct Case {
        var method: FineTuningMethod
        var batch: Int
        var sequence: Int
        var checkpointing = false
        var targets: [LoRATarget] = [.q, .v]
        var dropout = false
    }

    /// (bytes the step's tensors held at most, beyond what was live before the model existed; the estimate).
    func measure(_ c: Case) throws -> (measured: Double, estimate: MemoryEstimate) {
        var options = TinyModelOptions()
        options.context = 2048
        options.layers = 4
        let before = TensorMemory.liveBytes
        TensorMemory.resetPeak()
        let loaded = try LoadedModel.tiny(options, seed: 1)
        let model = loaded.model
        let parameters: TrainableParameters
        if c.method == .full {
            parameters = try FullFineTuning.apply(to: model)
        } else {
            parameters = try LoRAApplier.apply(LoRAConfiguration(rank: 8, alpha: 16, dropout: c.dropout ? 0.1 : 0,
                                                                 targets: .modules(c.targets.map(\.rawValue)), seed: 2),
                                               to: model).parameters
        }
        model.gradientCheckpointing = c.checkpointing
        var rng = RandomGenerator(seed: 3)
        let tokens = (0..<(c.batch * c.sequence)).map { _ in Int32(rng.nextInt(below: 256)) }
        let trainer = Trainer(model: model, parameters: parameters, optimizer: AdamW(learningRate: 1e-3),
                              schedule: LearningRateSchedule(kind: .constant, baseLearningRate: 1e-3, totalSteps: 1))
        trainer.run(steps: 1, batches: [TrainingBatch(tokens: tokens, labels: tokens, batch: c.batch)])
        XCTAssertTrue(trainer.losses.last.map { $0.isFinite } ?? false)
        let measured = Double(TensorMemory.peakBytes - before)

        var setup = TrainingSetup(method: c.method, loraRank: 8, loraTargets: c.targets, gradientCheckpointing: c.checkpointing,
                                  batch: c.batch, sequence: c.sequence)
        setup.loraDropout = c.dropout
        setup.attentionThreads = Parallelism.workers
        let estimate = Estimator.estimate(TrainingPlan.shape(of: model, name: "tiny"), setup).memory
        return (measured, estimate)
    }

    func testEstimateIsWithinTenPercentOfTheEnginesPeak() throws {
        let cases = [Case(method: .lora, batch: 8, sequence: 128), Case(method: .lora, batch: 4, sequence: 256),
                     Case(method: .lora, batch: 1, sequence: 2048), Case(method: .lora, batch: 1, sequence: 2048, checkpointing: true),
                     Case(method: .lora, batch: 2, sequence: 512, checkpointing: true),
                     Case(method: .lora, batch: 4, sequence: 256, dropout: true),
                     Case(method: .lora, batch: 4, sequence: 256, targets: LoRATarget.allCases),
                     Case(method: .full, batch: 4, sequence: 256)]
        for c in cases {
            let (measured, estimate) = try measure(c)
            let ratio = estimate.total / measured
            let context = "\(c.method) \(c.targets.map(\.rawValue))\(c.dropout ? " dropout" : "") \(c.batch) × \(c.sequence)\(c.checkpointing ? " checkpointing" : ""): measured \(Int(measured)) bytes, "
                + "estimate \(Int(estimate.total)) (weights \(Int(estimate.weights)), activations \(Int(estimate.activations)), workspace \(Int(estimate.workspace)))"
            print(context + String(format: ", ratio %.3f", ratio))
            XCTAssertEqual(ratio, 1, accuracy: 0.1, context)
        }
    }

    func testEstimateCountsTheAttentionBlocksTheEngineRuns() {
        XCTAssertEqual(Estimator.attentionBlockRows, AttentionKernel.causalBlockRows)
        XCTAssertEqual(Estimator.attentionKeysPerQuery(sequence: 200), 200)
        // 512 tokens in two blocks: 256 queries over 256 keys, 256 over 512.
        XCTAssertEqual(Estimator.attentionKeysPerQuery(sequence: 512), Double(256 * 256 + 256 * 512) / 512)
        // 2048: eight blocks, Σ 256·256·i / 2048 = 1152 = T/2 + 128.
        XCTAssertEqual(Estimator.attentionKeysPerQuery(sequence: 2048), 1152)
    }
}
