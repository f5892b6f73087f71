import AttuneLanguage
import AttuneNotebook
@testable import AttuneRuntime
import Foundation
import TensorCore
import XCTest

/// What a notebook or script from someone else can and cannot do (issue #26): its paths obey one
/// policy with symbolic links resolved (arguments, front-matter data entries, files inside model
/// and adapter folders), data is read only from regular files under a size cap, the network is
/// refused without --allow-network, and the smaller problems of item 6.
final class HostileNotebookTests: XCTestCase {
    /// A notebook folder and, beside it, a folder with a "secret" file the notebook must not reach.
    func folders() throws -> (notebook: URL, secret: URL) {
        let root = temporaryFolder()
        let notebook = root.appendingPathComponent("nb"), elsewhere = root.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: notebook, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let secret = elsewhere.appendingPathComponent("secret.jsonl")
        try #"{"text": "secret"}"#.write(to: secret, atomically: true, encoding: .utf8)
        return (notebook, secret)
    }

    // MARK: data load: only regular files, under a cap, never blocking

    func testDataLoadRefusesFIFOsDevicesAndHugeFilesWithoutReading() throws {
        let (folder, _) = try folders()
        let interpreter = makeInterpreter(paths: .unrestricted(base: folder))
        XCTAssertEqual(mkfifo(folder.appendingPathComponent("pipe.jsonl").path, 0o600), 0)
        let fifo = failure(interpreter, "data load \"pipe.jsonl\"")
        XCTAssertEqual(fifo.name, "FileError")
        XCTAssertTrue(fifo.message.contains("pipe.jsonl is a FIFO (named pipe), not a regular file"), fifo.message)
        let device = failure(interpreter, "data load \"/dev/zero\"")
        XCTAssertTrue(device.message.contains("/dev/zero is a character device"), device.message)
        let big = folder.appendingPathComponent("big.jsonl")
        XCTAssertTrue(FileManager.default.createFile(atPath: big.path, contents: nil))
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: UInt64(DataCommands.maxFileBytes) + 1)   // sparse: nothing written
        try handle.close()
        let huge = failure(interpreter, "data load \"big.jsonl\"")
        XCTAssertTrue(huge.message.contains("larger than the 4.0 GiB limit"), huge.message)
        XCTAssertNil(interpreter.session.dataset)
    }

    // MARK: the path policy, links resolved

    func testConfinedDataLoadRefusesALinkOutOfTheFolder() throws {
        let (folder, secret) = try folders()
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("data.jsonl"), withDestinationURL: secret)
        let interpreter = makeInterpreter(paths: .confined(to: folder))
        let error = failure(interpreter, "data load \"data.jsonl\"")
        XCTAssertEqual(error.name, "PathNotAllowed")
        XCTAssertTrue(error.message.contains("--allow-paths"), error.message)
    }

    func testFrontMatterDataOutsideTheFolderIsNeitherOpenedNorHashed() throws {
        let (folder, secret) = try folders()
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("linked.jsonl"), withDestinationURL: secret)
        let text = """
            ---
            format: "attune-notebook/1"
            seed: 42
            data: [{"path": "\(secret.path)", "sha256": "00"}, {"path": "../elsewhere/secret.jsonl", "sha256": "00"}, {"path": "linked.jsonl", "sha256": "00"}]
            ---

            """
        let document = try NotebookReader.read(text)
        let messages = NotebookReplayer(folder: folder).dataChanges(document)
        XCTAssertEqual(messages.count, 3)
        for message in messages {
            XCTAssertTrue(message.contains("is outside the notebook's folder and the cache; it was not read"), message)
            XCTAssertFalse(message.contains("now)"), "no hash of the outside file: \(message)")
        }
        // Allowed explicitly, the same file is checked (and its change reported).
        let allowed = NotebookReplayer(folder: folder, allowedPaths: [secret.deletingLastPathComponent()]).dataChanges(document)
        XCTAssertTrue(allowed[0].contains("changed since the notebook was recorded"), allowed[0])
    }

    func testModelFolderWithALinkOutsideIsRefused() throws {
        let (folder, secret) = try folders()
        let model = folder.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: model.appendingPathComponent("config.json"), withDestinationURL: secret)
        let confined = makeInterpreter(paths: .confined(to: folder))
        let error = failure(confined, "model load \"model\"")
        XCTAssertEqual(error.name, "PathNotAllowed")
        XCTAssertTrue(error.message.contains("config.json' is a link to"), error.message)
        XCTAssertTrue(error.message.contains("--allow-paths"), error.message)
        // The REPL (every path allowed) gets to the loader, which reads the real file.
        let open = failure(makeInterpreter(paths: .unrestricted(base: folder)), "model load \"model\"")
        XCTAssertNotEqual(open.name, "PathNotAllowed")
    }

    func testAdapterFolderWithALinkOutsideIsRefused() throws {
        let (folder, secret) = try folders()
        let adapter = folder.appendingPathComponent("adapter")
        try FileManager.default.createDirectory(at: adapter, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: adapter.appendingPathComponent("adapter_model.safetensors"), withDestinationURL: secret)
        let interpreter = makeInterpreter(tiny: true, paths: .confined(to: folder))
        let error = failure(interpreter, "adapter load \"adapter\"")
        XCTAssertEqual(error.name, "PathNotAllowed")
        XCTAssertTrue(error.message.contains("adapter_model.safetensors' is a link to"), error.message)
    }

    // MARK: the network

    func testNetworkIsAllowedOnlyInTheREPLOrWhenGiven() throws {
        XCTAssertTrue(PathPolicy.unrestricted().allowsNetwork)
        XCTAssertFalse(PathPolicy.confined(to: temporaryFolder()).allowsNetwork)
        XCTAssertTrue(PathPolicy.confined(to: temporaryFolder(), allowsNetwork: true).allowsNetwork)
        do { try PathPolicy.confined(to: temporaryFolder()).requireNetwork(for: "serve start"); XCTFail("expected a refusal") } catch let error as CommandError {
            XCTAssertEqual(error.name, "NetworkNotAllowed")
            XCTAssertTrue(error.message.contains("--allow-network"), error.message)
        }
        let modeBefore = Numerics.mode   // makeInterpreter puts the process in the notebook's mode
        defer { Numerics.mode = modeBefore }
        var replayer = NotebookReplayer(folder: temporaryFolder())
        XCTAssertFalse(replayer.makeInterpreter(for: NotebookDocument()).session.paths.allowsNetwork)
        replayer.allowsNetwork = true
        XCTAssertTrue(replayer.makeInterpreter(for: NotebookDocument()).session.paths.allowsNetwork)
    }

    func testServeStartInAnUntrustedScriptNeedsAllowNetwork() throws {
        guard let binary = attuneBinary() else { throw XCTSkip("the attune binary is not built") }
        let (folder, _) = try folders()
        let script = folder.appendingPathComponent("serve.attune")
        try "serve start port=0\n".write(to: script, atomically: true, encoding: .utf8)
        let refused = try runBinary(binary, ["run", script.path], in: folder)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.err.contains("NetworkNotAllowed") || refused.err.contains("--allow-network"), refused.err)
        let allowed = try runBinary(binary, ["run", "--allow-network", script.path], in: folder)
        XCTAssertFalse(allowed.err.contains("--allow-network"), allowed.err)   // gets past the check (then needs a model)
    }

    // MARK: item 6

    func testReplayToAMissingFolderFailsBeforeAnyCellRuns() throws {
        guard let binary = attuneBinary() else { throw XCTSkip("the attune binary is not built") }
        let (folder, _) = try folders()
        let url = folder.appendingPathComponent("nb.attune.md")
        let recorder = try SessionRecorder(creating: url, seed: 42, title: "replay target")
        let interpreter = makeInterpreter(paths: .unrestricted(base: folder))
        XCTAssertTrue(recorder.record(source: "set lr=2e-4", run: interpreter.run(source: "set lr=2e-4")))
        let result = try runBinary(binary, ["replay", url.path, "-o", folder.appendingPathComponent("missing/dir/out.attune.md").path], in: folder)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.err.contains("missing/dir does not exist"), result.err)
        XCTAssertTrue(result.err.contains("nothing was run"), result.err)
        XCTAssertFalse(result.out.contains("[1]"), result.out)
        XCTAssertNil(OutputPathCheck.problem(writing: folder.appendingPathComponent("out.attune.md").path))
        XCTAssertTrue(OutputPathCheck.problem(writing: folder.path)?.contains("is a folder") == true)
    }

    func testKeepGoingRunsTheStatementsAroundASyntaxError() {
        let interpreter = makeInterpreter()
        var printed: [(String, Bool)] = []
        var runner = ScriptRunner(interpreter: interpreter) { printed.append(($0, $1)) }
        runner.keepGoing = true
        XCTAssertFalse(runner.run(source: "set lr=1.7e-4\nset seq=)\nset lr=3e-4", fileLabel: "-c"))
        XCTAssertEqual(interpreter.session.hyperparameters.lr, 3e-4, "the statement after the error ran")
        XCTAssertTrue(printed.contains { $0.1 && $0.0.contains("line 2, column 5: missing value after 'seq='") }, "\(printed)")
        // Without --keep-going nothing runs, as before.
        let strict = makeInterpreter()
        let runner2 = ScriptRunner(interpreter: strict) { _, _ in }
        XCTAssertFalse(runner2.run(source: "set lr=1.7e-4\nset seq=)", fileLabel: "-c"))
        XCTAssertNotEqual(strict.session.hyperparameters.lr, 1.7e-4)
    }

    func testANumberThatUnderflowsIsAnErrorNotZero() {
        let error = failure(makeInterpreter(), "set lr=1e-400")
        XCTAssertTrue(error.message.contains("the number 1e-400 is too small: it rounds to 0"), error.message)
        XCTAssertFalse(error.message.contains("got 0"), error.message)
        ok(makeInterpreter(), "set lr=0.0002")
        let zero = failure(makeInterpreter(), "set lr=0e-5")
        XCTAssertTrue(zero.message.contains("greater than 0"), zero.message)
    }

    func testInvisibleCharactersInErrorsAreNamedNotEchoed() {
        let run = makeInterpreter().run(source: "set lr=\u{202E}abc")
        let message = run.firstError?.message ?? ""
        XCTAssertTrue(message.contains("U+202E"), message)
        XCTAssertFalse(message.unicodeScalars.contains("\u{202E}"), message)
        let rendered = ParseResult.render(makeInterpreter(), "set lr=\u{202E}abc")
        XCTAssertFalse(rendered.unicodeScalars.contains("\u{202E}"), rendered)
        XCTAssertEqual("a\u{200B}b\u{202E}".clippedForMessage, "aU+200BbU+202E")
    }
}

private extension ParseResult {
    /// The rendered syntax errors of `source`, as `-c` prints them.
    static func render(_ interpreter: Interpreter, _ source: String) -> String {
        interpreter.parse(source).diagnostics.render(source: source)
    }
}
