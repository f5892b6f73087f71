import AttuneNotebook
@testable import AttuneRuntime
import Foundation
import TensorCore
import XCTest

/// The `numerics` front-matter key: recorded at the start of a session, used by replay and
/// verify (fast for a notebook without it), explained when a fast notebook fails to verify.
final class NotebookNumericsTests: XCTestCase {
    var modeBefore = NumericsMode.reproducible

    override func setUp() {
        modeBefore = Numerics.mode
    }

    override func tearDown() {
        Numerics.mode = modeBefore
    }

    /// A notebook whose one cell prints the session's numerics; `numerics` is the key's JSON.
    func notebook(numerics: String?, recordedResult: String = "lr=3e-4 (seed 42)") throws -> NotebookDocument {
        try NotebookReader.read("""
            ---
            format: "attune-notebook/1"
            seed: 42
            \(numerics.map { "numerics: \($0)\n" } ?? "")---

            ```attune n=1 id="a"
            set lr=3e-4
            ```
            ```output result
            \(recordedResult)
            ```

            """)
    }

    /// The mode each cell of `document` ran in, and the replayed front matter's key.
    func replayModes(_ document: NotebookDocument, override: NumericsMode? = nil) -> (modes: [NumericsMode], key: NumericsInfo?) {
        var replayer = NotebookReplayer(folder: temporaryFolder())
        replayer.numerics = override
        var modes: [NumericsMode] = []
        replayer.didRun = { _, _ in modes.append(Numerics.mode) }
        let replayed = replayer.replay(document).document
        return (modes, replayed.frontMatter?.numerics)
    }

    func testTheRecorderWritesTheModeKernelsThreadsAndCPU() throws {
        let folder = temporaryFolder()
        let url = folder.appendingPathComponent("s.attune.md")
        let interpreter = makeInterpreter()
        ok(interpreter, "set numerics=fast")
        let recorder = try SessionRecorder(creating: url, seed: 42, title: "numerics")
        recorder.record(source: "set numerics=reproducible", run: interpreter.run(source: "set numerics=reproducible"))
        let text = try String(contentsOf: url, encoding: .utf8)
        let line = "numerics: {\"mode\": \"fast\", \"kernels\": \"\(Numerics.kernelPath)\", \"threads\": \(Parallelism.workers), \"cpu\": \"\(NumericsProvenance.cpu)\"}"
        XCTAssertTrue(text.contains("\n" + line + "\n"), text)
        let matter = try XCTUnwrap(try NotebookReader.read(text).frontMatter)
        XCTAssertEqual(matter.numerics, NumericsInfo(mode: "fast", kernels: Numerics.kernelPath, threads: Parallelism.workers, cpu: NumericsProvenance.cpu))
        XCTAssertEqual(matter.keys, ["format", "title", "created", "engine", "seed", "numerics", "verify"])
        XCTAssertTrue(text.contains("set numerics=reproducible\n```\n```output result\nnumerics=reproducible (seed 42)"),
                      "a change of mode is a cell like any other")
    }

    func testReplayRunsInTheRecordedModeAndFastWithoutTheKey() throws {
        Numerics.mode = .reproducible
        let fast = replayModes(try notebook(numerics: #"{"mode": "fast"}"#))
        XCTAssertEqual(fast.modes, [.fast])
        XCTAssertEqual(fast.key?.mode, "fast")
        XCTAssertEqual(fast.key?.cpu, NumericsProvenance.cpu, "the replay records the machine it ran on")
        let old = replayModes(try notebook(numerics: nil))
        XCTAssertEqual(old.modes, [.fast], "a notebook from before the modes ran with OpenBLAS")
        XCTAssertEqual(old.key?.mode, "fast")
        Numerics.mode = .fast
        let reproducible = replayModes(try notebook(numerics: #"{"mode": "reproducible", "kernels": "avx2", "threads": 8}"#))
        XCTAssertEqual(reproducible.modes, [.reproducible])
        XCTAssertEqual(Numerics.mode, .fast, "the process's mode is put back after the replay")
        XCTAssertEqual(replayModes(try notebook(numerics: nil), override: .reproducible).modes, [.reproducible], "--numerics wins")
    }

    func testSetNumericsInAReplayedCellSwitchesForTheCellsAfterIt() throws {
        let document = try NotebookReader.read("""
            ---
            format: "attune-notebook/1"
            numerics: {"mode": "reproducible"}
            ---

            ```attune n=1 id="a"
            ?numerics
            ```

            ```attune n=2 id="b"
            set numerics=fast
            ```

            ```attune n=3 id="c"
            set lr=3e-4
            ```

            """)
        let replay = replayModes(document)
        XCTAssertEqual(replay.modes, [.reproducible, .fast, .fast])
        XCTAssertEqual(replay.key?.mode, "reproducible", "the key is the mode at the start")
    }

    func testVerifyOfAFastNotebookWithAMismatchExplainsTheNumerics() throws {
        let other = #"{"mode": "fast", "kernels": "avx512", "threads": 64, "cpu": "OtherVendor family 1 model 2"}"#
        let outcome = NotebookVerification.verify(try notebook(numerics: other, recordedResult: "lr=3e-4 (seed 43)"),
                                                  folder: temporaryFolder(), notebook: "x.attune.md")
        XCTAssertFalse(outcome.report.passed)
        let rendered = outcome.report.rendered
        XCTAssertTrue(rendered.contains("note: the notebook was recorded in fast numerics (OpenBLAS, whose bits depend on the CPU and the core count)"
                                        + " and replays on a different CPU (recorded on OtherVendor family 1 model 2, this is \(NumericsProvenance.cpu))"),
                      rendered)
        XCTAssertTrue(rendered.contains("re-record it under the default reproducible numerics with `attune verify x.attune.md --fix --numerics reproducible`"
                                        + " and it verifies on every machine"), rendered)
        XCTAssertEqual(outcome.numerics, .fast)
        XCTAssertEqual(outcome.fixed.frontMatter?.numerics?.mode, "fast", "--fix records the mode it ran in")
        XCTAssertEqual(outcome.fixed.frontMatter?.numerics?.cpu, NumericsProvenance.cpu)

        let old = NotebookVerification.verify(try notebook(numerics: nil, recordedResult: "lr=3e-4 (seed 43)"), folder: temporaryFolder())
        XCTAssertTrue(old.report.rendered.contains("note: the notebook has no `numerics` key: it was recorded before Attune had numerics modes"),
                      old.report.rendered)
        XCTAssertTrue(old.numericsChanged)

        let passing = NotebookVerification.verify(try notebook(numerics: other), folder: temporaryFolder())
        XCTAssertTrue(passing.report.passed)
        XCTAssertTrue(passing.report.notes.isEmpty, "no note when everything matches")
        XCTAssertFalse(passing.numericsChanged)
    }

    func testVerifyOfAReproducibleNotebookAddsNoNote() throws {
        let outcome = NotebookVerification.verify(try notebook(numerics: #"{"mode": "reproducible"}"#, recordedResult: "lr=3e-4 (seed 43)"),
                                                  folder: temporaryFolder())
        XCTAssertFalse(outcome.report.passed)
        XCTAssertEqual(outcome.report.notes, [])
    }

    func testFixUnderReproducibleRecordsTheNewMode() throws {
        let outcome = NotebookVerification.verify(try notebook(numerics: nil), folder: temporaryFolder(), numerics: .reproducible)
        XCTAssertTrue(outcome.report.passed, outcome.report.rendered)
        XCTAssertTrue(outcome.numericsChanged, "the notebook named no mode, so --fix rewrites its front matter")
        XCTAssertEqual(outcome.fixed.frontMatter?.numerics?.mode, "reproducible")
    }

    func testTheNoteTellsWhatItCanTellAboutTheMachine() {
        let here = NumericsInfo(mode: "fast", kernels: "avx2", threads: 2, cpu: "GenuineIntel family 6 model 85")
        XCTAssertNil(NumericsProvenance.verifyNote(recorded: NumericsInfo(mode: "reproducible"), ran: .reproducible, notebook: "n", now: here))
        let same = NumericsProvenance.verifyNote(recorded: here, ran: .fast, notebook: "n", now: here) ?? ""
        XCTAssertTrue(same.contains("on the same CPU model with the same thread count"), same)
        let unknown = NumericsProvenance.verifyNote(recorded: NumericsInfo(mode: "fast"), ran: .fast, notebook: "n", now: here) ?? ""
        XCTAssertTrue(unknown.hasPrefix("the notebook was recorded in fast numerics (OpenBLAS, whose bits depend on the CPU and the core count),"
                                        + " so differences on another machine are expected; re-record it"), unknown)
        XCTAssertFalse(unknown.contains("different CPU"), "the CPU is unknown, so the note does not claim it differs")
        var cores = here
        cores.threads = 8
        let threads = NumericsProvenance.verifyNote(recorded: cores, ran: .fast, notebook: "n", now: here) ?? ""
        XCTAssertTrue(threads.contains("replays with a different thread count (recorded with 8, now 2)"), threads)
        XCTAssertFalse(threads.contains("different CPU"), threads)
        let switched = NumericsProvenance.verifyNote(recorded: nil, ran: .reproducible, notebook: "n", now: here) ?? ""
        XCTAssertTrue(switched.contains("replayed in reproducible numerics, so small differences are expected"), switched)
    }
}
