import AttuneNotebook
@testable import AttuneRuntime
import Foundation
import XCTest

/// A `train` stopped with Ctrl-C is recorded with the safe point it stopped at (`stop_after=K`),
/// and replay stops it there again: the notebook verifies, without running the whole request.
final class InterruptedCellTests: XCTestCase {
    func testATrainStoppedByCtrlCReplaysToTheSameStep() throws {
        let folder = temporaryFolder()
        let examples = (0..<16).map { i in
            #"{"messages": [{"role": "user", "content": "ping \#(i)"}, {"role": "assistant", "content": "pong \#(i)"}]}"#
        }
        try (examples.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("pings.jsonl"), atomically: true, encoding: .utf8)
        let url = folder.appendingPathComponent("stopped.attune.md")
        let recorder = try SessionRecorder(creating: url, seed: 42, title: "stopped")
        let session = Session(seed: 42, paths: .unrestricted(base: folder))
        let interpreter = Interpreter(session: session)
        // Ctrl-C while step 4 runs: the flag is set from outside the loop, as the signal handler does.
        session.liveStream = { line in if line.hasPrefix("step 4  loss") { session.stop.request() } }
        let sources = ["model new tiny", "data load \"pings.jsonl\"", "method lora r=4 targets=[q_proj, v_proj]",
                       "set batch=2 seq=64", "train steps=100000", "train steps=2"]
        for source in sources {
            let run = interpreter.run(source: source)
            XCTAssertFalse(run.failed, source)
            recorder.record(source: source, run: run)
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(text.contains("```attune n=5 id=\"c6x5\" stop_after=4\ntrain steps=100000\n```"), text)
        let document = try NotebookReader.read(text)
        XCTAssertEqual(document.cells.map(\.stopAfter), [nil, nil, nil, nil, 4, nil])
        let stopped = try XCTUnwrap(document.cells[4].outputs.first { $0.kind == .result }?.text)
        XCTAssertTrue(stopped.hasPrefix("trained 4 steps") && stopped.contains("stopped at a step boundary (Ctrl-C)"), stopped)

        // Replay stops the long train at step 4 and the second train continues from there.
        let started = Date()
        let outcome = NotebookVerification.verify(document, folder: folder)
        XCTAssertTrue(outcome.report.passed, outcome.report.rendered)
        XCTAssertLessThan(Date().timeIntervalSince(started), 60)
        XCTAssertEqual(outcome.replayed.cells[4].stopAfter, 4, "the replayed notebook keeps the attribute")
        XCTAssertTrue(outcome.replayed.cells[5].outputs.contains { $0.kind == .stream && $0.text.hasPrefix("step 5  loss") })
    }

    func testEachShouldStopReadIsOneSafePointAndAPlannedStopIsHonoured() {
        let session = Session()
        let interpreter = Interpreter(session: session)
        _ = interpreter.run(source: "model new tiny")
        XCTAssertEqual(session.safePoints, SafePoints(), "counting starts over with every cell")
        session.safePoints.stopAt = 3
        let command = interpreter.parse("show embed").statements[0].command!
        let context = CommandContext(command: command, arguments: try! ShowCommand().schema.bind(command),
                                     session: session, registry: interpreter.registry, binding: nil)
        XCTAssertEqual((1...4).map { _ in context.shouldStop }, [false, false, true, true])
        XCTAssertEqual(session.safePoints.stoppedAt, 3)
        XCTAssertEqual(session.safePoints.reached, 4)
    }
}
