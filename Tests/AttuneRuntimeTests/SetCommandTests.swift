@testable import AttuneRuntime
import XCTest

final class SetCommandTests: XCTestCase {
    func testSetsValuesAndEchoesThemWithTheSeed() {
        let interpreter = makeInterpreter()
        XCTAssertEqual(ok(interpreter, "set lr=2e-4 batch=8 seq=128"), "lr=2e-4 batch=8 seq=128 (seed 42)")
        XCTAssertEqual(interpreter.session.hyperparameters.lr, 2e-4)
        XCTAssertEqual(interpreter.session.hyperparameters.batch, 8)
    }

    func testNegativeLearningRateIsAnErrorAtTheValueWithTheGuidesRange() {
        let error = failure(makeInterpreter(), "set lr=-1")
        XCTAssertEqual(error.name, "InvalidValue")
        XCTAssertEqual(error.message, "line 1, column 8: lr must be greater than 0 (got -1); the guide recommends 1e-4 … 3e-4 for LoRA")
    }

    func testRecommendedRangeFollowsTheMethod() {
        let interpreter = makeInterpreter()
        ok(interpreter, "method full")
        XCTAssertTrue(failure(interpreter, "set lr=0").message.hasSuffix("the guide recommends 1e-5 … 5e-5 for full fine-tuning"))
        ok(interpreter, "method qlora")
        XCTAssertTrue(ok(interpreter, "set lr=1e-4").contains("warning: lr=1e-4 is below the guide's recommended 2e-4 … 5e-4 for QLoRA, a range it gives for 7B-class models; too low:"))
    }

    func testLearningRateOutsideTheGuideIsAWarningNotAnError() {
        let interpreter = makeInterpreter()
        let text = ok(interpreter, "set lr=1e-2")
        XCTAssertTrue(text.hasPrefix("lr=0.01 (seed 42)\nwarning: lr=0.01 is above the guide's recommended 1e-4 … 3e-4 for LoRA, a range it gives for 7B-class models; too high: the loss spikes"), text)
        XCTAssertEqual(interpreter.session.hyperparameters.lr, 0.01)
    }

    /// With a model far from 7B loaded, the warning names its size and defers to the loss
    /// instead of predicting spikes.
    func testLearningRateWarningNamesTheModelClass() {
        let interpreter = makeInterpreter(tiny: true)
        XCTAssertEqual(ok(interpreter, "set lr=1e-2"),
                       "lr=0.01 (seed 42)\nwarning: lr=0.01 is above the guide's recommended 1e-4 … 3e-4 for LoRA, a range it gives for 7B-class models; this is a 109K model, where other rates can work — train watches the loss and warns if it spikes or diverges")
        XCTAssertTrue(ok(interpreter, "set lr=1e-5").hasSuffix("this is a 109K model, where other rates can work — train watches the loss and warns if it does not move"))
    }

    func testAllOrNothing() {
        let interpreter = makeInterpreter()
        let error = failure(interpreter, "set batch=16 lr=-1")
        XCTAssertTrue(error.message.contains("lr must be greater than 0"))
        XCTAssertEqual(interpreter.session.hyperparameters.batch, 4, "a failed set changes nothing")
    }

    func testUnknownKeysSuggestTheNearestOrTheCanonicalName() {
        let interpreter = makeInterpreter()
        XCTAssertEqual(failure(interpreter, "set lerning_rate=1e-4").message,
                       "line 1, column 5: unknown hyperparameter 'lerning_rate' — did you mean 'lr'?")
        XCTAssertEqual(failure(interpreter, "set learning_rate=1e-4").message,
                       "line 1, column 5: unknown hyperparameter 'learning_rate' — Attune calls it 'lr'")
        XCTAssertEqual(failure(interpreter, "set bacth=4").message, "line 1, column 5: unknown hyperparameter 'bacth' — did you mean 'batch'?")
        XCTAssertEqual(failure(interpreter, "set zzzzzz=1").name, "UnknownArgument")
    }

    func testTypesAndRanges() {
        let interpreter = makeInterpreter()
        XCTAssertEqual(failure(interpreter, "set batch=2.5").message, "line 1, column 11: batch must be a whole number (got 2.5); the guide recommends 1 … 64")
        XCTAssertEqual(failure(interpreter, "set batch=0").message, "line 1, column 11: batch must be at least 1 (got 0); the guide recommends 1 … 64")
        XCTAssertEqual(failure(interpreter, "set schedule=cosin").message,
                       "line 1, column 14: schedule must be one of cosine, linear or constant (got 'cosin') — did you mean 'cosine'?")
        XCTAssertEqual(failure(interpreter, "set dropout=1").message,
                       "line 1, column 13: dropout must be less than 1 (got 1); the guide recommends 0 … 0.1")
        XCTAssertEqual(failure(interpreter, "set pack=yes").message, "line 1, column 10: pack must be true or false (got a name yes)")
        XCTAssertEqual(failure(interpreter, "set lr=\"fast\"").message,
                       "line 1, column 8: lr must be a number greater than 0 and at most 1 (got a string \"fast\"); the guide recommends 1e-4 … 3e-4 for LoRA")
        XCTAssertEqual(failure(interpreter, "set lr=1e-4 lr=2e-4").message, "line 1, column 13: 'lr' is given twice (first at column 5); keep one")
        XCTAssertTrue(failure(interpreter, "set lr").message.contains("set needs KEY=VALUE, e.g. set lr=2e-4"))
    }

    func testWarmupTakesStepsOrAShare() {
        let interpreter = makeInterpreter()
        XCTAssertEqual(ok(interpreter, "set warmup=5%"), "warmup=5% (seed 42)")
        XCTAssertEqual(interpreter.session.hyperparameters[.warmup], .fraction(0.05))
        ok(interpreter, "set warmup=10")
        XCTAssertEqual(interpreter.session.hyperparameters[.warmup], .integer(10))
        XCTAssertTrue(failure(interpreter, "set warmup=150%").message.contains("between 0% and 100%"))
    }

    func testConsistencyWarnings() {
        let interpreter = makeInterpreter(tiny: true)
        XCTAssertTrue(ok(interpreter, "set steps=10 warmup=20").contains("warning: warmup=20 is not shorter than steps=10"))
        XCTAssertTrue(ok(interpreter, "set seq=1024").contains("warning: seq=1024 is longer than the model's context of 256 tokens"))
        XCTAssertTrue(ok(interpreter, "set epochs=5").contains("warning: epochs=5 is above the guide's recommended 1 … 3; too high: validation loss rises"))
    }

    func testSeedChangesTheSessionSeed() {
        let interpreter = makeInterpreter()
        XCTAssertEqual(ok(interpreter, "set seed=7"), "seed=7 (seed 7)")
        XCTAssertEqual(interpreter.session.seed, 7)
    }

    func testSetAloneListsEveryKey() {
        let interpreter = makeInterpreter()
        ok(interpreter, "set lr=3e-4")
        let text = ok(interpreter, "set")
        for name in HyperparameterTable.names { XCTAssertTrue(text.contains(" \(name) "), name) }
        XCTAssertTrue(text.contains("* lr"))
    }

    func testEveryKeyHasAValidDefaultAndExample() {
        for spec in HyperparameterTable.all {
            XCTAssertFalse(spec.meaning.isEmpty, spec.name)
            let interpreter = makeInterpreter()
            ok(interpreter, "set \(spec.name)=\(spec.example)")
            if let number = spec.defaultValue.number {
                switch spec.kind {
                case .integer(let range), .number(let range): XCTAssertTrue(range.contains(number), "\(spec.name) default outside its range")
                default: break
                }
            }
        }
    }
}
