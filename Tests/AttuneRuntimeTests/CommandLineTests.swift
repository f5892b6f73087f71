import AttuneNotebook
import Foundation
import XCTest

/// End-to-end checks through the built `attune` executable (skipped when it was not built).
final class CommandLineTests: XCTestCase {
    func binary() throws -> URL {
        guard let url = attuneBinary() else { throw XCTSkip("the attune executable is not built next to the tests") }
        return url
    }

    func testInlineStatements() throws {
        let result = try runBinary(try binary(), ["-c", "model new tiny\nset lr=1e-2\nshow norm[0:2]"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("model tiny · llama"), result.out)
        XCTAssertTrue(result.out.contains("warning: lr=0.01 is above"), result.out)
        XCTAssertTrue(result.out.contains("  1  1"), result.out)
        let failed = try runBinary(try binary(), ["-c", "model new tiny\nset lr=-1"])
        XCTAssertEqual(failed.status, 1)
        XCTAssertTrue(failed.err.contains("line 2, column 8: lr must be greater than 0"), failed.err)
    }

    func testUsageErrorsExitWithTwo() throws {
        let unknown = try runBinary(try binary(), ["verify", "x.attune.md", "--fxi"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.err.contains("Unknown option '--fxi'. Did you mean '--fix'?"), unknown.err)
        let command = try runBinary(try binary(), ["verfy"])
        XCTAssertEqual(command.status, 2)
        XCTAssertTrue(command.err.contains("unknown command 'verfy' — did you mean 'verify'?"), command.err)
    }

    func testRunResolvesPathsAgainstTheScriptsFolderAndConfinesThem() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub/model"), withIntermediateDirectories: true)
        let script = folder.appendingPathComponent("sub/s.attune")
        try "model load \"model\"\n".write(to: script, atomically: true, encoding: .utf8)
        let elsewhere = temporaryFolder()
        let result = try runBinary(try binary(), ["run", script.path], in: elsewhere)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.err.contains("missing config.json"), "the path resolved against the script's folder: \(result.err)")
        try "model load \"../\"\n".write(to: script, atomically: true, encoding: .utf8)
        let refused = try runBinary(try binary(), ["run", script.path], in: elsewhere)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.err.contains("is outside the notebook's folder"), refused.err)
        let allowed = try runBinary(try binary(), ["run", script.path, "--allow-paths", folder.path], in: elsewhere)
        XCTAssertFalse(allowed.err.contains("is outside the notebook's folder"), allowed.err)
    }

    func testRecordVerifyEditFixExport() throws {
        let folder = temporaryFolder()
        let notebook = folder.appendingPathComponent("nb.attune.md").path
        let recorded = try runBinary(try binary(), ["-c", "model new tiny\nshow layers.0.attn.q_proj[0, :4]\nset lr=-1", "--notebook", notebook, "--keep-going"], in: folder)
        XCTAssertEqual(recorded.status, 1, "the deliberate error makes the exit status 1")
        let verified = try runBinary(try binary(), ["verify", notebook])
        XCTAssertEqual(verified.status, 0, verified.out + verified.err)
        XCTAssertTrue(verified.out.contains("verified: 3 cells, 3 outputs match"), verified.out)
        // Edit one recorded number.
        var text = try String(contentsOfFile: notebook, encoding: .utf8)
        text = text.replacingOccurrences(of: "non-finite 0", with: "non-finite 7")
        try text.write(toFile: notebook, atomically: true, encoding: .utf8)
        let mismatch = try runBinary(try binary(), ["verify", notebook])
        XCTAssertEqual(mismatch.status, 1)
        XCTAssertTrue(mismatch.out.contains("cell n=2"), mismatch.out)
        XCTAssertTrue(mismatch.out.contains("- expected:") && mismatch.out.contains("non-finite 7"), mismatch.out)
        XCTAssertEqual(try runBinary(try binary(), ["verify", notebook, "--fix"]).status, 0)
        XCTAssertEqual(try runBinary(try binary(), ["verify", notebook]).status, 0)
        // Replay and export.
        let replayed = folder.appendingPathComponent("again.attune.md").path
        XCTAssertEqual(try runBinary(try binary(), ["replay", notebook, "-o", replayed, "--quiet"]).status, 0)
        XCTAssertEqual(try NotebookReader.read(contentsOf: URL(fileURLWithPath: replayed)).cells.count, 3)
        XCTAssertEqual(try runBinary(try binary(), ["export", notebook, "--to", "ipynb"]).status, 0)
        let ipynb = try Data(contentsOf: folder.appendingPathComponent("nb.ipynb"))
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: ipynb) as? [String: Any])
    }

    func testAnInvalidNumericsVariableWarnsAndRunsReproducible() throws {
        let bad = try runBinary(try binary(), ["-c", "?numerics"], environment: ["ATTUNE_NUMERICS": "fsat"])
        XCTAssertEqual(bad.status, 0, bad.err)
        XCTAssertTrue(bad.err.contains("attune: warning: ATTUNE_NUMERICS='fsat' is not a numerics mode (did you mean fast?);"
                                       + " valid values are reproducible, fast and bf16; running in reproducible numerics"), bad.err)
        XCTAssertTrue(bad.out.contains("current      reproducible (default)"), bad.out)
        let fast = try runBinary(try binary(), ["-c", "?numerics"], environment: ["ATTUNE_NUMERICS": "fast"])
        XCTAssertEqual(fast.err, "")
        XCTAssertTrue(fast.out.contains("current      fast (default reproducible)"), fast.out)
    }

    func testVerifyRunsInTheRecordedModeAndFixRecordsAnother() throws {
        let folder = temporaryFolder()
        let notebook = folder.appendingPathComponent("nb.attune.md").path
        let recorded = try runBinary(try binary(), ["-c", "model new tiny\n?numerics", "--notebook", notebook], in: folder,
                                     environment: ["ATTUNE_NUMERICS": "fast"])
        XCTAssertEqual(recorded.status, 0, recorded.err)
        XCTAssertEqual(try NotebookReader.read(contentsOf: URL(fileURLWithPath: notebook)).frontMatter?.numerics?.mode, "fast")
        // The recording says fast, so verify replays in fast although the process starts reproducible.
        let verified = try runBinary(try binary(), ["verify", notebook])
        XCTAssertEqual(verified.status, 0, verified.out + verified.err)
        XCTAssertEqual(try runBinary(try binary(), ["verify", notebook, "--numerics", "fsat"]).status, 2)
        let switched = try runBinary(try binary(), ["verify", notebook, "--numerics", "reproducible"])
        XCTAssertEqual(switched.status, 1, "?numerics now says reproducible: " + switched.out)
        XCTAssertTrue(switched.out.contains("replayed in reproducible numerics"), switched.out)
        let fixed = try runBinary(try binary(), ["verify", notebook, "--fix", "--numerics", "reproducible"])
        XCTAssertEqual(fixed.status, 0, fixed.out + fixed.err)
        XCTAssertTrue(fixed.out.contains("and recorded reproducible numerics"), fixed.out)
        XCTAssertEqual(try NotebookReader.read(contentsOf: URL(fileURLWithPath: notebook)).frontMatter?.numerics?.mode, "reproducible")
        XCTAssertEqual(try runBinary(try binary(), ["verify", notebook]).status, 0)
    }

    func testPipedStandardInputRunsWithoutPrompt() throws {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = ["--no-notebook"]
        var environment = ProcessInfo.processInfo.environment
        environment["ATTUNE_BLAS_REEXEC"] = "1"
        process.environment = environment
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        input.fileHandleForWriting.write(Data("model new tiny\nmethod lora targets=[q_proj,\n  v_proj]\n".utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertFalse(text.contains("attune>"), text)
        XCTAssertTrue(text.contains("targets=[q_proj, v_proj]"), text)
    }
}

/// The REPL through a pseudo-terminal: Scripts/repl-demo (Python's pty) checks completion
/// (commands, verbs, hyperparameters, tensor names, quoted file names), multi-line input, Ctrl-C
/// at the prompt and during `train` (stops at a step boundary, the session goes on), Ctrl-D,
/// history across two sessions and the recorded notebooks (the first one verifies).
final class PseudoTerminalTests: XCTestCase {
    func testREPLThroughAPseudoTerminal() throws {
        guard let binary = attuneBinary() else { throw XCTSkip("the attune executable is not built next to the tests") }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scripts/repl-demo")
        guard FileManager.default.fileExists(atPath: "/usr/bin/python3") || FileManager.default.fileExists(atPath: "/usr/local/bin/python3") else {
            throw XCTSkip("python3 is needed to drive a pseudo-terminal")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, binary.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("PASS:"), text)
    }
}
