import AttuneNotebook
@testable import AttuneRuntime
import Foundation
import Models
import XCTest

/// `data load` in a recorded session puts the file and its SHA-256 in the notebook's front
/// matter (`data`), and replay warns when that file changed or is gone; `model new` and
/// `model load` put the model in the `model` key.
final class DataProvenanceTests: XCTestCase {
    static let examples = (0..<6).map { i in
        #"{"messages": [{"role": "user", "content": "hello \#(i)"}, {"role": "assistant", "content": "hi \#(i)"}]}"#
    }.joined(separator: "\n") + "\n"

    /// A session in `folder` recording to `folder/session.attune.md`, attached to the recorder.
    func recordedSession(in folder: URL, _ sources: [String]) throws -> URL {
        let url = folder.appendingPathComponent("session.attune.md")
        let recorder = try SessionRecorder(creating: url, seed: 42, title: "provenance")
        let interpreter = Interpreter(session: Session(seed: 42, paths: .unrestricted(base: folder)))
        recorder.observe(interpreter.session)
        for source in sources { XCTAssertTrue(recorder.record(source: source, run: interpreter.run(source: source))) }
        XCTAssertNil(recorder.failure)
        return url
    }

    func testDataLoadRecordsPathAndHashInTheFrontMatter() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("data/chat.jsonl")
        try Self.examples.write(to: file, atomically: true, encoding: .utf8)
        let other = folder.appendingPathComponent("data/more.jsonl")
        try Self.examples.write(to: other, atomically: true, encoding: .utf8)
        let url = try recordedSession(in: folder, ["data load \"data/chat.jsonl\"", "data load \"data/chat.jsonl\"",
                                                  "data load \"data/more.jsonl\"", "data load \"data/missing.jsonl\""])
        let text = try String(contentsOf: url, encoding: .utf8)
        let document = try NotebookReader.read(text)
        let hash = try ContentHash.sha256Hex(contentsOf: file)
        XCTAssertEqual(hash.count, 64)
        XCTAssertEqual(document.frontMatter?.data, [DataFileInfo(path: "data/chat.jsonl", sha256: hash),
                                                    DataFileInfo(path: "data/more.jsonl", sha256: hash)],
                       "one entry per file, relative to the notebook, loading twice adds nothing, a failed load nothing")
        XCTAssertTrue(text.contains(#"data: [{"path": "data/chat.jsonl", "sha256": "\#(hash)"}"#), text)
        XCTAssertEqual(document.cells.count, 4, "the front matter rewrite keeps every cell")
        XCTAssertTrue(document.cells[0].outputs.first?.text.contains("sha256 \(hash.prefix(12))") == true)

        // Unchanged data: no warning. Changed data: a warning naming both hashes. Gone: a warning.
        let replayer = NotebookReplayer(folder: folder)
        XCTAssertEqual(replayer.dataChanges(document), [])
        try (Self.examples + #"{"messages": [{"role": "user", "content": "new"}, {"role": "assistant", "content": "line"}]}"# + "\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let newHash = try ContentHash.sha256Hex(contentsOf: file)
        try FileManager.default.removeItem(at: other)
        XCTAssertEqual(replayer.dataChanges(document), [
            "data file data/chat.jsonl changed since the notebook was recorded (sha256 \(hash.prefix(12)) then, \(newHash.prefix(12)) now): outputs may differ",
            "data file data/more.jsonl (recorded with sha256 \(hash.prefix(12))) cannot be read; the cells that load it will fail",
        ])
        // Replay warns before running, and the replayed notebook names the data it ran on.
        var warnings: [String] = []
        var warning = NotebookReplayer(folder: folder)
        warning.warn = { warnings.append($0) }
        let replayed = warning.replay(document).document
        XCTAssertEqual(warnings.count, 2)
        XCTAssertEqual(replayed.frontMatter?.data.first, DataFileInfo(path: "data/chat.jsonl", sha256: newHash))
    }

    func testFilesOutsideTheNotebooksFolderKeepTheirAbsolutePath() throws {
        let folder = temporaryFolder(), elsewhere = temporaryFolder()
        let file = elsewhere.appendingPathComponent("chat.jsonl")
        try Self.examples.write(to: file, atomically: true, encoding: .utf8)
        let url = try recordedSession(in: folder, ["data load \"\(file.path)\""])
        let data = try NotebookReader.read(contentsOf: url).frontMatter?.data
        XCTAssertEqual(data?.map(\.path), [file.standardizedFileURL.resolvingSymlinksInPath().path])
    }

    func testModelNewRecordsTheTinyConfiguration() throws {
        let folder = temporaryFolder()
        let url = try recordedSession(in: folder, ["model new tiny", "model new tiny layers=1 ctx=512", "model info"])
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(text.contains(#"model: {"name": "tiny", "config": {"layers": 1, "dim": 64, "heads": 4, "kv_heads": 2, "mlp": 176, "ctx": 512}}"#), text)
        XCTAssertEqual(try NotebookReader.read(text).cells.count, 3)
    }

    func testModelLoadRecordsTheFileAndItsHash() throws {
        let cached = ModelCache.default.path(of: .smollm2)
        guard FileManager.default.fileExists(atPath: cached.path) else { throw XCTSkip("SmolLM2 is not in the cache (attune fetch smollm2)") }
        let url = try recordedSession(in: temporaryFolder(), ["model load smollm2"])
        let model = try XCTUnwrap(try NotebookReader.read(contentsOf: url).frontMatter?.model)
        XCTAssertEqual(model["name"]?.stringValue, "smollm2")
        XCTAssertEqual(model["file"]?.stringValue, "SmolLM2-135M-Instruct.Q4_1.gguf", "a cache path is named by its file name")
        XCTAssertEqual(model["sha256"]?.stringValue, BuiltInModel.smollm2.sha256)
    }

    func testNotingTheSameFileUpdatesItsEntry() {
        var matter = FrontMatter()
        XCTAssertTrue(matter.noteDataFile(path: "a.jsonl", sha256: "11"))
        XCTAssertFalse(matter.noteDataFile(path: "a.jsonl", sha256: "11"))
        XCTAssertTrue(matter.noteDataFile(path: "b.jsonl", sha256: "22"))
        XCTAssertTrue(matter.noteDataFile(path: "a.jsonl", sha256: "33"))
        XCTAssertEqual(matter.data, [DataFileInfo(path: "a.jsonl", sha256: "33"), DataFileInfo(path: "b.jsonl", sha256: "22")])
    }
}
