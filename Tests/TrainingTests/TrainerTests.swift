import Foundation
import ModelFormats
import Models
import TensorCore
import XCTest
@testable import Training

final class TrainerTests: XCTestCase {
    func setUp(seed: UInt64 = 5, lr: Double = 1e-2) throws -> (Trainer, LoRAAdapter, [TrainingBatch]) {
        let model = try LlamaModel.loadHuggingFace(folder: ReferenceFixtures.url("tiny-llama/model"))
        let adapter = try LoRAApplier.apply(LoRAConfiguration(rank: 4, alpha: 8, dropout: 0.1, targets: .allLinear, seed: seed), to: model)
        let batch = try SafetensorsFile(url: ReferenceFixtures.url("tiny-llama/expected/full_forward_backward.safetensors"))
        let micro = TrainingBatch(tokens: try batch.int32s("input_ids"), labels: try batch.int32s("labels"), batch: 2)
        let trainer = Trainer(model: model, parameters: adapter.parameters, optimizer: AdamW(learningRate: lr),
                              schedule: LearningRateSchedule(kind: .cosine, baseLearningRate: lr, warmupSteps: 2, totalSteps: 20),
                              maxGradNorm: 1, accumulationSteps: 2)
        return (trainer, adapter, [micro])
    }

    func testLossDecreasesOverTwentyStepsAndEventsReportEachStep() throws {
        let (trainer, _, batches) = try setUp()
        var events = [TrainingEvent]()
        let reason = trainer.run(steps: 20, batches: batches) { events.append($0); return .continue }
        XCTAssertEqual(reason, .finished)
        XCTAssertEqual(trainer.losses.count, 20)
        XCTAssertEqual(trainer.step, 20)
        XCTAssertEqual(trainer.cursor, 40, "two micro-batches per step")
        XCTAssertLessThan(trainer.losses.suffix(5).reduce(0, +) / 5, trainer.losses.prefix(5).reduce(0, +) / 5 - 0.1, "\(trainer.losses)")
        XCTAssertEqual(events.last, .stopped(.finished))
        guard case let .step(index, loss, lr, norm, speed) = events[3] else { return XCTFail("\(events[3])") }
        XCTAssertEqual(index, 3)
        XCTAssertEqual(loss, trainer.losses[3])
        XCTAssertEqual(lr, trainer.schedule.lr(at: 3))
        XCTAssertTrue(norm > 0 && speed > 0)
        guard case let .step(_, _, lr0, _, _) = events[0] else { return XCTFail() }
        XCTAssertEqual(lr0, 0, "warmup starts at 0 as transformers' schedules do")
        print("trainer: losses \(trainer.losses.map { String(format: "%.4f", $0) }.joined(separator: " "))")
    }

    /// Every phase is timed, the CPU/wall ratio is a core count this machine can have, and the
    /// per-step means are the totals over the steps.
    /// The trainer's optimizer steps use the schedule's rates: with a floor the last steps run at
    /// `min_lr`, not near 0.
    func testTrainerStepsFloorAtMinimumLearningRate() throws {
        let (trainer, _, batches) = try setUp(lr: 1e-2)
        trainer.schedule = LearningRateSchedule(kind: .cosine, baseLearningRate: 1e-2, warmupSteps: 1, totalSteps: 6, minimumLearningRate: 2e-3)
        var rates = [Double]()
        _ = trainer.run(steps: 7, batches: batches) { event in
            if case let .step(_, _, lr, _, _) = event { rates.append(lr) }
            return .continue
        }
        XCTAssertEqual(rates.count, 7)
        XCTAssertEqual(rates[0], 0, "warmup starts at 0")
        XCTAssertEqual(rates[1], 1e-2, accuracy: 1e-15)
        XCTAssertEqual(rates[6], 2e-3, accuracy: 1e-15, "step N runs at the floor")
        for lr in rates.dropFirst() { XCTAssertGreaterThanOrEqual(lr, 2e-3 - 1e-15, "\(rates)") }
        XCTAssertEqual(trainer.optimizer.learningRate, 2e-3, accuracy: 1e-15, "the optimizer ran the last step at the floor")
    }

    func testPhaseTimingsCoverForwardBackwardAndOptimizer() throws {
        let (trainer, _, batches) = try setUp()
        trainer.run(steps: 4, batches: batches)
        let totals = trainer.phaseTimings
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        for (name, phase) in totals.named {
            XCTAssertGreaterThan(phase.wallSeconds, 0, name)
            XCTAssertGreaterThanOrEqual(phase.cpuSeconds, 0, name)
            // CPU clocks tick coarsely: the ratio only means something over tens of milliseconds.
            if phase.wallSeconds >= 0.05 { XCTAssertLessThanOrEqual(phase.cores, cores + 0.5, name) }
        }
        let perStep = totals.divided(by: 4)
        XCTAssertEqual(perStep.backward.wallSeconds * 4, totals.backward.wallSeconds, accuracy: 1e-12)
        XCTAssertEqual(perStep.forward.cpuSeconds * 4, totals.forward.cpuSeconds, accuracy: 1e-12)
        trainer.phaseTimings = PhaseTimings()
        XCTAssertEqual(trainer.phaseTimings.forward.wallSeconds, 0)
        XCTAssertEqual(trainer.phaseTimings.forward.cores, 0)
    }

    func testSameSeedGivesBitIdenticalLosses() throws {
        let (t1, a1, b1) = try setUp(seed: 9)
        let (t2, a2, b2) = try setUp(seed: 9)
        t1.run(steps: 5, batches: b1)
        t2.run(steps: 5, batches: b2)
        XCTAssertEqual(t1.losses.map(\.bitPattern), t2.losses.map(\.bitPattern))
        XCTAssertEqual(a1.parameters.snapshot().map(\.bitPattern), a2.parameters.snapshot().map(\.bitPattern))
        let (t3, _, b3) = try setUp(seed: 10)
        t3.run(steps: 5, batches: b3)
        XCTAssertNotEqual(t1.losses, t3.losses)
    }

    func testStopRequestEndsAtAStepBoundary() throws {
        let (trainer, _, batches) = try setUp()
        var seen = 0
        let reason = trainer.run(steps: 10, batches: batches) { event in
            if case .step = event { seen += 1 }
            return seen == 3 ? .stop : .continue
        }
        XCTAssertEqual(reason, .requested)
        XCTAssertEqual(trainer.step, 3)
    }

    func testNonFiniteLossSkipsAndStopsAfterThreeWithLastGoodState() throws {
        let (trainer, adapter, batches) = try setUp()
        trainer.run(steps: 2, batches: batches)
        let good = adapter.parameters.snapshot()
        let moments = (trainer.optimizer as! AdamW).firstMoment
        // Poison the input: a NaN in the final norm makes every loss NaN.
        let norm = trainer.model.parameter("model.norm.weight")
        let saved = norm[flat: 0]
        norm[flat: 0] = .nan
        var events = [TrainingEvent]()
        let reason = trainer.run(steps: 10, batches: batches) { events.append($0); return .continue }
        XCTAssertEqual(reason, .nonFinite(consecutive: 3))
        XCTAssertEqual(events, [.skipped(index: 2, reason: "loss is not finite"), .skipped(index: 2, reason: "loss is not finite"),
                                .skipped(index: 2, reason: "loss is not finite"), .stopped(.nonFinite(consecutive: 3))])
        XCTAssertEqual(adapter.parameters.snapshot(), good)
        XCTAssertEqual((trainer.optimizer as! AdamW).firstMoment, moments)
        XCTAssertEqual(trainer.step, 2)
        // Repaired, training continues from the last good state.
        norm[flat: 0] = saved
        XCTAssertEqual(trainer.run(steps: 1, batches: batches), .finished)
        XCTAssertEqual(trainer.step, 3)
    }
}
