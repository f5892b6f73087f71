import AttuneNotebook
import Foundation
import TensorCore
import Training
import XCTest
@testable import AttuneRuntime

/// The typed table: every key has one spec, every typed property decodes its key's default and
/// every value `set` accepts, and the settings that used to be accepted but ignored reach the trainer.
final class TypedHyperparameterTests: XCTestCase {
    func testEveryKeyHasExactlyOneSpecInTheTablesOrder() {
        XCTAssertEqual(HyperparameterTable.all.map(\.key), HyperparameterKey.allCases, "one spec per key, in the keys' order")
        for key in HyperparameterKey.allCases { XCTAssertEqual(key.spec.name, key.rawValue) }
    }

    func testTypedPropertiesReadTheTablesDefaults() {
        let h = HyperparameterValues(seed: 42, numerics: .reproducible)
        XCTAssertEqual(h.lr, 2e-4)
        XCTAssertEqual(h.batch, 4)
        XCTAssertEqual(h.accum, 1)
        XCTAssertEqual(h.seq, 256)
        XCTAssertEqual(h.epochs, 1)
        XCTAssertEqual(h.steps, 0)
        XCTAssertEqual(h.schedule, .cosine)
        XCTAssertEqual(h.warmup, .share(0.03))
        XCTAssertEqual(h.dropout, 0.05, "the table's dropout, which every reader now sees")
        XCTAssertEqual(h.gradClip, 1)
        XCTAssertEqual(h.optimizer, .adamw)
        XCTAssertEqual(h.minLR, 0)
        XCTAssertEqual(h.trainOn, .completions)
        XCTAssertFalse(h.pack)
        XCTAssertTrue(h.restoreBest)
        XCTAssertEqual(h.numerics, .reproducible)
        XCTAssertEqual(h.seed, 42)
        XCTAssertTrue(h.explicitlySet.isEmpty)
    }

    /// Every word a choice key accepts decodes to its typed value (no word falls back to a default).
    func testEveryChoiceWordDecodes() {
        for spec in HyperparameterTable.all {
            guard case .choice(let words) = spec.kind else { continue }
            for word in words {
                var h = HyperparameterValues()
                h.set(spec.key, .word(word))
                let decoded: String = switch spec.key {
                case .schedule: h.schedule.rawValue
                case .optimizer: h.optimizer.rawValue
                case .trainOn: h.trainOn.rawValue
                case .numerics: h.numerics.rawValue
                default: "no typed choice for \(spec.name)"
                }
                XCTAssertEqual(decoded, word, spec.name)
            }
        }
    }

    func testMinLRReachesTheTrainersSchedule() throws {
        let interpreter = try interpreterWithData()
        ok(interpreter, "method lora r=4 alpha=8 targets=[q_proj, v_proj]")
        ok(interpreter, "set lr=3e-3 min_lr=5e-4 batch=4 seq=768 warmup=1 schedule=cosine steps=4")
        let run = interpreter.run(source: "train steps=5")
        XCTAssertNil(run.firstError.map { "\($0)" })
        let schedule = try XCTUnwrap(interpreter.session.training?.trainer.schedule)
        XCTAssertEqual(schedule.minimumLearningRate, 5e-4)
        XCTAssertEqual(schedule.lr(at: 4), 5e-4, accuracy: 1e-15, "the decay ends at min_lr")
        let output = try XCTUnwrap(run.outcomes.first?.output)
        let rates = output.metrics.compactMap { $0["lr"]?.doubleValue }
        XCTAssertEqual(rates.count, 5, "\(output.metrics)")
        XCTAssertEqual(rates.last ?? 0, 5e-4, accuracy: 1e-12, "steps 4 and on run at min_lr: \(rates)")
        for lr in rates.dropFirst() { XCTAssertGreaterThanOrEqual(lr, 5e-4 - 1e-12, "\(rates)") }
    }

    func testMinLRAboveLRIsClampedToLR() throws {
        let h = { () -> HyperparameterValues in
            var h = HyperparameterValues()
            h.set(.lr, .number(1e-4))
            h.set(.minLR, .number(1e-3))
            return h
        }()
        let schedule = TrainingState.schedule(h, plannedSteps: 10)
        XCTAssertEqual(schedule.minimumLearningRate, 1e-4)
        XCTAssertEqual(schedule.lr(at: 10), 1e-4, accuracy: 1e-18)
    }

    /// `pack=true` trains in the local trainer: rows of 1,280 byte tokens hold two or so examples
    /// (with their segments), and with all 24 examples in one micro-batch the first step's loss
    /// (before any update) is the unpacked run's, over the same target tokens.
    func testPackTrainsOnTheSameTargetsAsUnpacked() throws {
        func firstStep(pack: Bool) throws -> (loss: Double, batches: [TrainingBatch]) {
            let interpreter = try interpreterWithData()
            ok(interpreter, "method lora r=4 alpha=8 dropout=0 targets=[q_proj, v_proj]")
            ok(interpreter, "set pack=\(pack) batch=24 seq=1280")
            ok(interpreter, "train steps=1")
            let state = try XCTUnwrap(interpreter.session.training)
            return (try XCTUnwrap(state.trainer.losses.first), state.batches)
        }
        let packed = try firstStep(pack: true), unpacked = try firstStep(pack: false)
        XCTAssertEqual(packed.batches.count, 1)
        XCTAssertEqual(unpacked.batches.count, 1)
        let packedBatch = packed.batches[0], unpackedBatch = unpacked.batches[0]
        XCTAssertNil(unpackedBatch.packing)
        let packing = try XCTUnwrap(packedBatch.packing, "several examples share a row")
        XCTAssertEqual(packing.segments.count, 24)
        XCTAssertLessThan(packedBatch.batch, unpackedBatch.batch)
        XCTAssertEqual(packedBatch.labels.filter { $0 != -100 }.count, unpackedBatch.labels.filter { $0 != -100 }.count)
        XCTAssertEqual(packed.loss, unpacked.loss, accuracy: 1e-6 * unpacked.loss)
    }
}
