import Foundation
import XCTest
@testable import AttuneRuntime

final class EarlyStoppingCommandTests: XCTestCase {
    /// Twelve training conversations, twelve held out, full fine-tuning at a high rate: the tiny
    /// model memorises the training half and the validation loss turns up within a few epochs.
    func setUp(_ interpreter: Interpreter, patience: Int) {
        ok(interpreter, "data split train=0.5 val=0.5")
        ok(interpreter, "method full")
        ok(interpreter, "set lr=1e-2 batch=2 seq=768 warmup=0 schedule=constant eval_every=2 patience=\(patience)")
    }

    func testEarlyStoppingStopsAndRestoresTheBestWeights() throws {
        let interpreter = try interpreterWithData()
        setUp(interpreter, patience: 2)
        let run = interpreter.run(source: "train steps=60")
        XCTAssertNil(run.firstError.map { "\($0)" })
        let result = try XCTUnwrap(run.outcomes.first?.output.resultText)
        let state = try XCTUnwrap(interpreter.session.training)
        let stopping = try XCTUnwrap(state.earlyStopping)
        let best = try XCTUnwrap(stopping.bestStep)
        XCTAssertTrue(stopping.shouldStop, result)
        XCTAssertLessThan(state.trainer.step, 60, "stopped before the planned steps")
        XCTAssertEqual(state.trainer.step, best + 2 * 2, "two evaluations (eval_every=2) without improvement after the best")
        XCTAssertTrue(result.contains("restored the best weights (step \(best), val loss"), result)
        XCTAssertTrue(result.contains("stopped early"), result)
        XCTAssertEqual(run.outcomes[0].output.stream.last?.hasPrefix("early stopping at step \(state.trainer.step): no better validation loss in 2 passes; the best"), true)

        // The weights now are exactly those after `best` steps of the same run without early stopping.
        let reference = try interpreterWithData()
        setUp(reference, patience: 0)
        ok(reference, "train steps=\(best)")
        let expected = try XCTUnwrap(reference.session.training?.trainer.parameters.snapshot())
        XCTAssertEqual(state.trainer.parameters.snapshot().map(\.bitPattern), expected.map(\.bitPattern))
        XCTAssertEqual(state.validationLoss(), stopping.bestValLoss)
    }

    func testEarlyStoppingNeedsValidationPasses() throws {
        let unsplit = try interpreterWithData()
        ok(unsplit, "method lora r=2")
        ok(unsplit, "set seq=768 batch=2 patience=2 eval_every=2")
        XCTAssertTrue(failure(unsplit, "train steps=2").message.contains("split the data first"))
        let noEval = try interpreterWithData()
        ok(noEval, "data split train=0.5 val=0.5")
        ok(noEval, "method lora r=2")
        ok(noEval, "set seq=768 batch=2 patience=2")
        XCTAssertTrue(failure(noEval, "train steps=2").message.contains("set eval_every=N"))
    }
}
