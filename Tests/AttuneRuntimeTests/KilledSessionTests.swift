import AttuneNotebook
import Foundation
import XCTest

/// A recorded session killed with SIGKILL in the middle of `train` (no handler runs, nothing is
/// flushed on the way out) keeps a notebook that holds every cell that had finished, parses
/// strictly, resumes without dropping anything and verifies: DESIGN §4's crash-safe append.
final class KilledSessionTests: XCTestCase {
    func testSIGKILLDuringTrainKeepsEveryFinishedCell() throws {
        guard let binary = attuneBinary() else { throw XCTSkip("the attune executable is not built next to the tests") }
        let folder = temporaryFolder()
        // Short chat examples, so a step of the tiny model takes milliseconds.
        let examples = (0..<40).map { i in
            #"{"messages": [{"role": "user", "content": "ping \#(i)"}, {"role": "assistant", "content": "pong \#(i)"}]}"#
        }
        let data = folder.appendingPathComponent("pings.jsonl")
        try (examples.joined(separator: "\n") + "\n").write(to: data, atomically: true, encoding: .utf8)
        let notebook = folder.appendingPathComponent("killed.attune.md")
        let finished = ["model new tiny", "data load \"pings.jsonl\"", "method lora r=4 targets=[q_proj, v_proj]",
                        "set batch=2 seq=64 log_every=1", "train steps=3"]
        let statements = finished + ["train steps=1000000"]

        let process = Process()
        process.executableURL = binary
        process.arguments = ["-c", statements.joined(separator: "\n"), "--notebook", notebook.path]
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["ATTUNE_BLAS_REEXEC"] = "1"
        environment["ATTUNE_HOME"] = folder.appendingPathComponent(".attune-home").path
        process.environment = environment
        let log = folder.appendingPathComponent("stdout.txt")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        try handle.close()

        // Wait until the long train has logged a few of its own steps (the first train ran 1-3).
        let deadline = Date().addingTimeInterval(60)
        var output = ""
        while Date() < deadline, process.isRunning {
            output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if output.contains("step 6  loss") { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertTrue(process.isRunning, "the long train ended before it could be killed:\n\(output)")
        XCTAssertTrue(output.contains("step 6  loss"), "the second train did not start within a minute:\n\(output)")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        XCTAssertEqual(process.terminationStatus, SIGKILL)

        // Every finished cell is there, with its outputs, and the file parses strictly.
        let text = try String(contentsOf: notebook, encoding: .utf8)
        let document = try NotebookReader.read(text)
        XCTAssertEqual(document.cells.map(\.source), finished, text)
        XCTAssertEqual(document.cells.map(\.n), Array(1...finished.count))
        XCTAssertTrue(document.cells.allSatisfy { !$0.outputs.isEmpty && $0.tags.isEmpty }, text)
        let train = try XCTUnwrap(document.cells.last)
        XCTAssertTrue(train.outputs.contains { $0.kind == .result && $0.text.hasPrefix("trained 3 steps") }, text)
        XCTAssertEqual(train.outputs.first { $0.kind == .metrics }?.metricsRecords().count, 3, text)
        XCTAssertFalse(text.contains("train steps=1000000"), "the unfinished cell must not be in the file")
        XCTAssertTrue(text.hasSuffix("```\n\n"), "the last recorded cell ends with the recorder's closing empty line")
        // The data the session read is in the front matter, with its hash.
        XCTAssertEqual(document.frontMatter?.data, [DataFileInfo(path: "pings.jsonl", sha256: try ContentHash.sha256Hex(contentsOf: data))])
        // No temporary file of an interrupted rewrite is left beside it.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])

        // Recording can resume into it without dropping anything, and it replays to the same outputs.
        let resumed = try NotebookRecorder.resume(at: notebook)
        XCTAssertNil(resumed.droppedTail)
        XCTAssertEqual(resumed.recorder.document.cells.count, finished.count)
        let verified = try runBinary(binary, ["verify", notebook.path])
        XCTAssertEqual(verified.status, 0, verified.out + verified.err)
    }

    /// Killed at arbitrary moments of a session of many short cells: every cell whose result was
    /// printed (the runner prints after the cell is recorded and synced) is in the file, and the
    /// file reads back, at worst without a last cell cut off in the middle of its append.
    func testSIGKILLAtRandomMomentsLosesNoPrintedCell() throws {
        guard let binary = attuneBinary() else { throw XCTSkip("the attune executable is not built next to the tests") }
        var generator = SystemRandomNumberGenerator()
        for round in 0..<4 {
            let folder = temporaryFolder()
            let notebook = folder.appendingPathComponent("many.attune.md")
            let statements = (1...3000).map { "set steps=\($0)" }
            let process = Process()
            process.executableURL = binary
            process.arguments = ["-c", statements.joined(separator: "\n"), "--notebook", notebook.path]
            var environment = ProcessInfo.processInfo.environment
            environment["ATTUNE_BLAS_REEXEC"] = "1"
            environment["ATTUNE_HOME"] = folder.appendingPathComponent(".attune-home").path
            process.environment = environment
            let log = folder.appendingPathComponent("stdout.txt")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            try handle.close()
            // Wait for the first cell, then a random moment more.
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline, process.isRunning, ((try? String(contentsOf: log, encoding: .utf8)) ?? "").isEmpty {
                Thread.sleep(forTimeInterval: 0.005)
            }
            Thread.sleep(forTimeInterval: Double.random(in: 0...0.3, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let printed = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("steps=") }.count
            let recovered = try NotebookReader.readRecovering(try String(contentsOf: notebook, encoding: .utf8))
            let cells = recovered.document.cells
            XCTAssertGreaterThanOrEqual(cells.count, printed, "round \(round): a printed cell is missing")
            XCTAssertLessThanOrEqual(cells.count, printed + 1, "round \(round)")
            XCTAssertEqual(cells.map(\.source), Array(statements.prefix(cells.count)), "round \(round)")
            XCTAssertTrue(cells.allSatisfy { $0.outputs.count == 1 }, "round \(round): every kept cell has its output")
            print("round \(round): killed after \(printed) printed cells; \(cells.count) in the file"
                  + (recovered.droppedTail.map { ", cut-off tail dropped: \($0)" } ?? ""))
        }
    }
}
