import Foundation
import ModelFormats
import Models
import TensorCore
import XCTest
@testable import Training

final class CheckpointTests: XCTestCase {
    /// A fresh model, adapter, optimizer and trainer (what a new process builds) over three
    /// different micro-batches, with dropout on, so the data cursor and the generators matter.
    func session(optimizer: Optimizer) throws -> (Trainer, LoRAAdapter, [TrainingBatch]) {
        let model = try LlamaModel.loadHuggingFace(folder: ReferenceFixtures.url("tiny-llama/model"))
        let adapter = try LoRAApplier.apply(LoRAConfiguration(rank: 4, alpha: 8, dropout: 0.1, targets: .allLinear, seed: 3), to: model)
        let file = try SafetensorsFile(url: ReferenceFixtures.url("tiny-llama/expected/full_forward_backward.safetensors"))
        let ids = try file.int32s("input_ids"), labels = try file.int32s("labels")
        let batches = (0..<3).map { shift in
            TrainingBatch(tokens: ids.map { ($0 + Int32(shift * 7)) % 256 }, labels: labels.map { $0 < 0 ? $0 : ($0 + Int32(shift * 7)) % 256 }, batch: 2)
        }
        let trainer = Trainer(model: model, parameters: adapter.parameters, optimizer: optimizer,
                              schedule: LearningRateSchedule(kind: .cosine, baseLearningRate: 1e-2, warmupSteps: 3, totalSteps: 20),
                              maxGradNorm: 1, accumulationSteps: 2)
        return (trainer, adapter, batches)
    }

    func testResumeReproducesAnUninterruptedRunStepForStep() throws {
        for makeOptimizer in [{ AdamW(learningRate: 1e-2) as Optimizer }, { SGD(learningRate: 1e-2, momentum: 0.9) as Optimizer }] {
            let (straight, _, batches) = try session(optimizer: makeOptimizer())
            straight.run(steps: 20, batches: batches)

            let (first, firstAdapter, _) = try session(optimizer: makeOptimizer())
            first.run(steps: 10, batches: batches)
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("attune-ckpt-\(UUID().uuidString).safetensors")
            defer { try? FileManager.default.removeItem(at: url) }
            try TrainingCheckpoint(trainer: first, adapter: firstAdapter).save(to: url)

            let (second, secondAdapter, _) = try session(optimizer: makeOptimizer())
            try TrainingCheckpoint.load(from: url).restore(into: second, adapter: secondAdapter)
            XCTAssertEqual(second.step, 10)
            second.run(steps: 10, batches: batches)
            XCTAssertEqual(second.losses.count, 20)
            XCTAssertEqual(second.losses.map(\.bitPattern), straight.losses.map(\.bitPattern), "losses at every step")
            // A plain safetensors reader sees the trainable tensors by name.
            let file = try SafetensorsFile(url: url)
            XCTAssertTrue(file.contains(LoRAAdapter.nameA("model.layers.0.self_attn.q_proj")))
        }
    }

    func testRestoreRefusesAMismatchedSession() throws {
        let (trainer, adapter, batches) = try session(optimizer: AdamW(learningRate: 1e-2))
        trainer.run(steps: 1, batches: batches)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attune-ckpt-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try TrainingCheckpoint(trainer: trainer, adapter: adapter).save(to: url)
        let (sgdTrainer, sgdAdapter, _) = try session(optimizer: SGD(learningRate: 1e-2))
        XCTAssertThrowsError(try TrainingCheckpoint.load(from: url).restore(into: sgdTrainer, adapter: sgdAdapter)) {
            XCTAssertTrue("\($0)".contains("adamw"), "\($0)")
        }
        let model = try LlamaModel.loadHuggingFace(folder: ReferenceFixtures.url("tiny-llama/model"))
        let qOnly = try LoRAApplier.apply(LoRAConfiguration(rank: 4, alpha: 8, targets: .modules(["q_proj"]), seed: 3), to: model)
        let other = Trainer(model: model, parameters: qOnly.parameters, optimizer: AdamW(), schedule: LearningRateSchedule(kind: .constant, baseLearningRate: 1e-3, warmupSteps: 0, totalSteps: 1))
        XCTAssertThrowsError(try TrainingCheckpoint.load(from: url).restore(into: other, adapter: qOnly)) {
            XCTAssertTrue("\($0)".contains("same method"), "\($0)")
        }
        try Data("not a checkpoint".utf8).write(to: url)
        XCTAssertThrowsError(try TrainingCheckpoint.load(from: url))
    }
}
