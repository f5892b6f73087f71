import AttuneNotebook
@testable import AttuneRuntime
import Foundation
import TensorCore
import XCTest

/// `set numerics=reproducible|fast|bf16`: a hyperparameter that is the process-wide `Numerics.mode`.
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
        XCTAssertTrue(help.contains("  value        one of reproducible, fast or bf16"), help)
        XCTAssertTrue(help.contains("  reproducible " + NumericsMode.reproducible.summary), help)
        XCTAssertTrue(help.contains("  fast         " + NumericsMode.fast.summary), help)
        XCTAssertTrue(help.contains("  bf16         " + NumericsMode.bf16.summary), help)
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
                       "line 1, column 14: numerics must be one of reproducible, fast or bf16 (got 'fsat') — did you mean 'fast'?")
        XCTAssertEqual(failure(interpreter, "set numerics=reproducable").message,
                       "line 1, column 14: numerics must be one of reproducible, fast or bf16 (got 'reproducable') — did you mean 'reproducible'?")
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

    /// `set numerics=bf16` switches the mode; where the bf16 products run the portable emulation it
    /// says so live (how much slower, and why), never in the recorded result, so a notebook that
    /// sets bf16 verifies on any CPU.
    func testSetNumericsBF16NotesThePortableEmulationLiveOnly() {
        defer { Numerics.forceKernelPath(nil) }
        Numerics.forceKernelPath(.avx2)  // below AVX-512: the bf16 GEMM takes the portable path
        let interpreter = makeInterpreter()
        var live: [String] = []
        interpreter.session.liveStream = { live.append($0) }
        XCTAssertEqual(ok(interpreter, "set numerics=bf16"), "numerics=bf16 (seed 42)")
        XCTAssertEqual(Numerics.mode, .bf16)
        XCTAssertEqual(live.count, 1, "\(live)")
        XCTAssertTrue(live.first?.contains("runs the portable emulation of vdpbf16ps: the same bits as on an AVX512_BF16 CPU") == true, "\(live)")
        XCTAssertTrue(live.first?.contains("× as long as with numerics=reproducible (measured on an AMD EPYC Zen 5") == true, "\(live)")
        live = []
        ok(interpreter, "set numerics=reproducible")
        XCTAssertEqual(live, [], "no note for other modes")
        XCTAssertNil(NumericsSetting.portableNote(mode: .bf16, path: .avx512bf16, best: .avx512bf16))
        XCTAssertTrue(NumericsSetting.portableNote(mode: .bf16, path: .portable, best: .portable)!.contains("this CPU has no AVX512_BF16"))
        XCTAssertTrue(NumericsSetting.portableNote(mode: .bf16, path: .portable, best: .avx512bf16)!.contains("ATTUNE_KERNEL_PATH=avx2"))
        XCTAssertNil(NumericsSetting.portableNote(mode: .fast, path: .portable, best: .portable))
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
