import AttuneNotebook
import Foundation
import Synchronization
import XCTest

/// `attune open NB` (replay, verifying cell by cell, then continue in the REPL appending to the
/// same file) and `attune replay NB --to N`, through the built executable.
final class OpenNotebookTests: XCTestCase {
    func binary() throws -> URL {
        guard let url = attuneBinary() else { throw XCTSkip("the attune executable is not built next to the tests") }
        return url
    }

    /// Records a three-cell notebook (model, a hyperparameter, a tensor slice) in a new folder.
    func recordedNotebook() throws -> URL {
        let folder = temporaryFolder()
        let notebook = folder.appendingPathComponent("nb.attune.md")
        let recorded = try runBinary(try binary(), ["-c", "model new tiny\nset lr=1e-3\nshow layers.0.attn.q_proj[0, :4]",
                                                    "--notebook", notebook.path], in: folder)
        XCTAssertEqual(recorded.status, 0, recorded.err)
        return notebook
    }

    func testOpenReplaysThenAppendsNewCellsThatVerify() throws {
        let notebook = try recordedNotebook()
        // The typed cell needs the replayed session's model and reads its learning rate.
        let opened = try runBinary(try binary(), ["open", notebook.path], input: "show norm[0:2]\n?lr\n")
        XCTAssertEqual(opened.status, 0, opened.out + opened.err)
        XCTAssertTrue(opened.out.contains("opened \(notebook.path): 3 cells replayed, every output matches"), opened.out)
        XCTAssertTrue(opened.out.contains("  1  1"), "the new cell ran on the replayed model: \(opened.out)")
        XCTAssertTrue(opened.out.contains("0.001 (default 2e-4)"), "the session kept set lr=1e-3: \(opened.out)")
        let document = try NotebookReader.read(contentsOf: notebook)
        XCTAssertEqual(document.cells.map(\.n), [1, 2, 3, 4, 5])
        XCTAssertEqual(document.cells[3].source, "show norm[0:2]")
        XCTAssertEqual(Set(document.cells.map(\.id)).count, 5, "new cells get fresh ids")
        let verified = try runBinary(try binary(), ["verify", notebook.path])
        XCTAssertEqual(verified.status, 0, verified.out + verified.err)
        XCTAssertTrue(verified.out.contains("verified: 5 cells"), verified.out)
    }

    func testOpenStopsAtTheFirstDifferenceAndLeavesTheFileAlone() throws {
        let notebook = try recordedNotebook()
        var text = try String(contentsOf: notebook, encoding: .utf8)
        XCTAssertEqual(text.components(separatedBy: "non-finite 0").count, 2, "one recorded output says it")
        text = text.replacingOccurrences(of: "non-finite 0", with: "non-finite 7")
        try text.write(to: notebook, atomically: true, encoding: .utf8)
        let before = try Data(contentsOf: notebook)
        let opened = try runBinary(try binary(), ["open", notebook.path], input: "set lr=5e-4\n")
        XCTAssertEqual(opened.status, 1)
        XCTAssertTrue(opened.err.contains("cell n=3 gives other outputs than the recording"), opened.err)
        XCTAssertTrue(opened.err.contains("is unchanged"), opened.err)
        XCTAssertFalse(opened.out.contains("opened"), "no REPL after a difference: \(opened.out)")
        XCTAssertEqual(try Data(contentsOf: notebook), before)
    }

    func testOpenDropsACellCutOffByAKilledSession() throws {
        let notebook = try recordedNotebook()
        let handle = try FileHandle(forWritingTo: notebook)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("```attune n=4 id=\"cut\"\nshow norm\n```\n```output result\n  1".utf8))
        try handle.close()
        let opened = try runBinary(try binary(), ["open", notebook.path], input: "set warmup=3\n")
        XCTAssertEqual(opened.status, 0, opened.out + opened.err)
        XCTAssertTrue(opened.err.contains("dropped an unfinished last cell"), opened.err)
        let document = try NotebookReader.read(contentsOf: notebook)
        XCTAssertEqual(document.cells.map(\.source), ["model new tiny", "set lr=1e-3", "show layers.0.attn.q_proj[0, :4]", "set warmup=3"])
    }

    func testOpenRefusesAMissingNotebook() throws {
        let missing = temporaryFolder().appendingPathComponent("none.attune.md")
        let opened = try runBinary(try binary(), ["open", missing.path])
        XCTAssertEqual(opened.status, 1)
        XCTAssertTrue(opened.err.contains("attune open: \(missing.path)"), opened.err)
    }

    func testReplayToStopsAfterCellNAndKeepsTheRest() throws {
        let notebook = try recordedNotebook()
        // A recorded output that would not survive a replay: only cells 1–2 run, so it stays.
        var text = try String(contentsOf: notebook, encoding: .utf8)
        XCTAssertEqual(text.components(separatedBy: "non-finite 0").count, 2, "one recorded output says it")
        text = text.replacingOccurrences(of: "non-finite 0", with: "non-finite 7")
        try text.write(to: notebook, atomically: true, encoding: .utf8)
        let out = notebook.deletingLastPathComponent().appendingPathComponent("out.attune.md")
        let replayed = try runBinary(try binary(), ["replay", notebook.path, "--to", "2", "-o", out.path])
        XCTAssertEqual(replayed.status, 0, replayed.out + replayed.err)
        XCTAssertTrue(replayed.out.contains("replayed 2 cells, stopped after cell n=2 (--to); 1 later cells keep their recorded outputs"),
                      replayed.out)
        XCTAssertFalse(replayed.out.contains("[3]"), replayed.out)
        let document = try NotebookReader.read(contentsOf: out)
        XCTAssertEqual(document.cells.count, 3)
        XCTAssertTrue(document.cells[2].outputs.map(\.text).joined().contains("non-finite 7"), "cell 3 kept its recorded output")
        let full = try runBinary(try binary(), ["replay", notebook.path, "-o", out.path])
        XCTAssertEqual(full.status, 0, full.err)
        XCTAssertFalse(try NotebookReader.read(contentsOf: out).cells[2].outputs.map(\.text).joined().contains("non-finite 7"))
        let beyond = try runBinary(try binary(), ["replay", notebook.path, "--to", "7"])
        XCTAssertEqual(beyond.status, 2)
        XCTAssertTrue(beyond.err.contains("--to 7: \(notebook.path) has no cell n=7; its cells are numbered 1–3"), beyond.err)
        let zero = try runBinary(try binary(), ["replay", notebook.path, "--to", "0"])
        XCTAssertEqual(zero.status, 2)
        XCTAssertTrue(zero.err.contains("cells are numbered from 1"), zero.err)
    }
}

/// Two `attune` processes recording into one notebook at once: one records, the other is refused
/// with a message, and the file stays a valid notebook (it used to interleave cells 1,3,2,4…).
final class ConcurrentRecordingTests: XCTestCase {
    func testTwoSessionsOnOneNotebookNeverInterleave() throws {
        guard let binary = attuneBinary() else { throw XCTSkip("the attune executable is not built next to the tests") }
        let folder = temporaryFolder()
        for round in 0..<4 {
            let notebook = folder.appendingPathComponent("nb\(round).attune.md").path
            let statements = "model new tiny\nset lr=1e-3\nset warmup=2\nshow norm[0:2]"
            let results = Mutex<[(status: Int32, out: String, err: String)]>([])
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                let result = try? runBinary(binary, ["-c", statements, "--notebook", notebook], in: folder)
                if let result { results.withLock { $0.append(result) } }
            }
            let all = results.withLock { $0 }
            XCTAssertEqual(all.count, 2)
            XCTAssertEqual(all.filter { $0.status == 0 }.count, 1, "round \(round): \(all.map(\.err))")
            // The loser sees the file (already exists) or the winner's lock (before or after the winner
            // wrote its pid into it: "by process N" or "by another attune session").
            let refused = try XCTUnwrap(all.first { $0.status != 0 })
            XCTAssertTrue(refused.err.contains("already exists") || refused.err.contains("is being recorded by"), refused.err)
            let document = try NotebookReader.read(contentsOf: URL(fileURLWithPath: notebook))
            XCTAssertEqual(document.cells.map(\.n), [1, 2, 3, 4], "round \(round)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: notebook + ".lock"))
        }
    }
}
