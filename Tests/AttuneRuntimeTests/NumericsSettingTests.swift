import AttuneNotebook
@testable import AttuneRuntime
import Foundation
import TensorCore
import XCTest

/// `set numerics=reproducible|fast`: a hyperparameter that is the process-wide `Numerics.mode`.
final class NumericsSettingTests: XCTestCase {
    var modeBefore = NumericsMode.reproducible

    override func setUp() {
        modeBefore = Numerics.mode
    }

    override func tearDown() {
        Numerics.mode = modeBefore
    }

    func testSetNumericsSwitchesTheModeAtOnce() {
        let interpreter = makeInterpreter()
        XCTAssertEqual(Numerics.mode, Numerics.initialMode, "a fresh session starts in the process's initial mode")
        XCTAssertEqual(interpreter.session.hyperparameters.numerics, Numerics.initialMode)
        XCTAssertEqual(ok(interpreter, "set numerics=fast"), "numerics=fast (seed 42)")
        XCTAssertEqual(Numerics.mode, .fast)
        ok(interpreter, "set numerics=reproducible")
        XCTAssertEqual(Numerics.mode, .reproducible)
        ok(interpreter, "set numerics=fast")
        _ = makeInterpreter()
        XCTAssertEqual(Numerics.mode, Numerics.initialMode, "a new session starts from the initial mode again")
    }

    func testQuestionMarkNumericsExplainsBothModesAndHelpSetListsIt() {
        let interpreter = makeInterpreter()
        ok(interpreter, "set numerics=fast")
        let help = ok(interpreter, "?numerics")
        XCTAssertTrue(help.hasPrefix("numerics — how matrix products and sums are rounded: reproducible"), help)
        XCTAssertTrue(help.contains("  current      fast (default reproducible)"), help)
        XCTAssertTrue(help.contains("  value        one of reproducible or fast"), help)
        XCTAssertTrue(help.contains("  reproducible " + NumericsMode.reproducible.summary), help)
        XCTAssertTrue(help.contains("  fast         " + NumericsMode.fast.summary), help)
        XCTAssertTrue(help.contains("  starts as    the mode in ATTUNE_NUMERICS when the process started"), help)
        XCTAssertFalse(help.contains(Numerics.kernelPath + " "), "nothing machine-dependent: a recorded ?numerics verifies anywhere")
        XCTAssertTrue(ok(interpreter, "help set").contains("checkpointing, numerics."))
        XCTAssertTrue(ok(interpreter, "help hyperparameters").contains("  numerics "))
        XCTAssertTrue(ok(interpreter, "set").contains("* numerics       fast"))
    }

    func testBadValuesAndAliasesGetTheUsualSuggestions() {
        let interpreter = makeInterpreter()
        ok(interpreter, "set numerics=fast")
        XCTAssertEqual(failure(interpreter, "set numerics=fsat").message,
                       "line 1, column 14: numerics must be one of reproducible or fast (got 'fsat') — did you mean 'fast'?")
        XCTAssertEqual(failure(interpreter, "set numerics=reproducable").message,
                       "line 1, column 14: numerics must be one of reproducible or fast (got 'reproducable') — did you mean 'reproducible'?")
        XCTAssertEqual(failure(interpreter, "set numeric=fast").message, "line 1, column 5: unknown hyperparameter 'numeric' — did you mean 'numerics'?")
        XCTAssertEqual(failure(interpreter, "set determinism=fast").message,
                       "line 1, column 5: unknown hyperparameter 'determinism' — Attune calls it 'numerics'")
        XCTAssertEqual(Numerics.mode, .fast, "a failed set changes nothing")
    }

    func testAssigningTheValuesSwitchesTheModeToo() {
        let interpreter = makeInterpreter()
        ok(interpreter, "set numerics=reproducible")
        let saved = interpreter.session.hyperparameters
        var changed = saved
        changed.set(.numerics, .word("fast"))
        interpreter.session.hyperparameters = changed
        XCTAssertEqual(Numerics.mode, .fast)
        interpreter.session.hyperparameters = saved
        XCTAssertEqual(Numerics.mode, .reproducible, "putting values back (as a sweep does) puts the mode back")
    }

    func testNotebookModesMatchTheEngines() {
        XCTAssertEqual(NumericsInfo.modes, NumericsMode.allCases.map(\.rawValue))
    }

    func testTheScaleOutExportMarksNumericsAsHavingNoEquivalent() throws {
        let row = try XCTUnwrap(ScaleOutMapping.row("numerics"))
        XCTAssertNotNil(row.trl.reason)
        XCTAssertNotNil(row.axolotl.reason)
    }
}
