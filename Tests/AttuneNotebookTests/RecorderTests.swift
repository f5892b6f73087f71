import XCTest
@testable import AttuneNotebook

final class RecorderTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("attune-nb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func header(seed: UInt64 = 42) -> FrontMatter {
        var matter = FrontMatter()
        matter.format = FrontMatter.formatTag
        matter.title = "Recorder test"
        matter.seed = seed
        return matter
    }

    func fileText(_ url: URL) throws -> String { String(decoding: try Data(contentsOf: url), as: UTF8.self) }

    func testRecordsCellsAsTheyFinish() throws {
        let url = folder.appendingPathComponent("s.attune.md")
        let recorder = try NotebookRecorder.create(at: url, frontMatter: header(), prose: "# Session\n")
        var first = recorder.makeCell(source: "model new tiny")
        first.outputs = [.result("model tiny · 2 layers")]
        try recorder.record(first)
        // The file already holds the first cell before the second starts.
        XCTAssertEqual(try NotebookReader.read(fileText(url)).cells, [first])
        try recorder.recordProse("A note between commands.")
        var second = recorder.makeCell(source: "set lr=-1", tags: ["raises"])
        second.outputs = [.error(name: "InvalidValue", message: "lr must be greater than 0")]
        try recorder.record(second)
        let text = try fileText(url)
        XCTAssertEqual(text, NotebookWriter.write(recorder.document))
        let read = try NotebookReader.read(text)
        XCTAssertEqual(read.cells.map(\.n), [1, 2])
        XCTAssertEqual(read.cells, [first, second])
        XCTAssertEqual(read, recorder.document)
        XCTAssertTrue(text.contains("\n# Session\n"))
        XCTAssertTrue(text.contains("```\n\nA note between commands.\n\n```attune n=2"), text)
    }

    func testCreateRefusesToOverwrite() throws {
        let url = folder.appendingPathComponent("x.attune.md")
        _ = try NotebookRecorder.create(at: url, frontMatter: header())
        XCTAssertThrowsError(try NotebookRecorder.create(at: url, frontMatter: header()))
    }

    func testNumbersMustIncreaseAndIdsBeUnique() throws {
        let url = folder.appendingPathComponent("n.attune.md")
        let recorder = try NotebookRecorder.create(at: url, frontMatter: header())
        try recorder.record(Cell(n: 5, id: "aaaa", source: "x"))
        XCTAssertThrowsError(try recorder.record(Cell(n: 5, id: "bbbb", source: "y"))) { error in
            XCTAssertEqual(error as? NotebookRecorderError, .cellNumberNotIncreasing(n: 5, last: 5))
        }
        XCTAssertThrowsError(try recorder.record(Cell(n: 6, id: "aaaa", source: "y"))) { error in
            XCTAssertEqual(error as? NotebookRecorderError, .duplicateCellID("aaaa"))
        }
        XCTAssertEqual(recorder.nextCellNumber, 6)
        XCTAssertEqual(try NotebookReader.read(fileText(url)).cells.count, 1)
    }

    /// A session killed while writing cell 3: every cut of cell 3's bytes leaves cells 1 and 2
    /// readable; resuming drops the unfinished cell and recording goes on.
    func testPartiallyWrittenCellIsDroppedAndFinishedCellsKept() throws {
        let url = folder.appendingPathComponent("k.attune.md")
        let recorder = try NotebookRecorder.create(at: url, frontMatter: header())
        for source in ["model new tiny", "train steps=5"] {
            var cell = recorder.makeCell(source: source)
            cell.outputs = [.stream("step 1 loss 5.0\nstep 2 loss 4.0"), .metrics([.object([("step", .number(2)), ("loss", .number(4))])])]
            try recorder.record(cell)
        }
        let complete = try fileText(url)
        var third = recorder.makeCell(source: "plot loss")
        third.outputs = [.plot(PlotInfo(id: "p1", src: "k.assets/p1.png", series: "k.assets/p1.json",
                                        image: ImageLink(alt: "loss", src: "k.assets/p1.png")), text: "chart\nlines"),
                         .error(name: "Stopped", message: "interrupted")]
        XCTAssertTrue(complete.hasSuffix("```\n\n"), "the recorder ends each cell with an empty line")
        let chunk = Array((NotebookWriter.write(third) + "\n").utf8)
        var unconfirmed = 0
        for cut in 0..<chunk.count {
            let text = complete + String(decoding: chunk[..<cut], as: UTF8.self)
            let recovered = try NotebookReader.readRecovering(text)
            XCTAssertEqual(recovered.document.cells[1].outputs.count, 2)
            if recovered.document.cells.count == 3 {
                // Cut exactly at a block boundary: well formed, but never taken as finished.
                XCTAssertFalse(recovered.lastCellConfirmed, "cut \(cut)")
                XCTAssertNil(recovered.droppedTail)
                unconfirmed += 1
            } else {
                XCTAssertEqual(recovered.document.cells.map(\.n), [1, 2], "cut \(cut)")
                XCTAssertTrue(recovered.lastCellConfirmed, "cut \(cut)")
                if cut > 0 { XCTAssertNotNil(recovered.droppedTail, "cut \(cut)") }
            }
        }
        XCTAssertEqual(unconfirmed, 4, "after the source, the plot, its image line and the error")
        // The whole chunk is a finished cell.
        let whole = try NotebookReader.readRecovering(complete + String(decoding: chunk, as: UTF8.self))
        XCTAssertEqual(whole.document.cells.count, 3)
        XCTAssertTrue(whole.lastCellConfirmed)
        XCTAssertNil(whole.droppedTail)

        // Simulate the kill: half of cell 3 on disk, the lock gone with the process, then a new
        // session resumes.
        recorder.close()
        let cutText = complete + String(decoding: chunk[..<(chunk.count / 2)], as: UTF8.self)
        try Data(cutText.utf8).write(to: url)
        XCTAssertThrowsError(try NotebookReader.read(fileText(url)))
        let (resumed, dropped) = try NotebookRecorder.resume(at: url)
        XCTAssertNotNil(dropped)
        XCTAssertEqual(dropped?.line, cutText.split(separator: "\n", omittingEmptySubsequences: false).count,
                       "the report names the cut-off last line: \(String(describing: dropped))")
        XCTAssertEqual(try fileText(url), complete)
        XCTAssertEqual(resumed.nextCellNumber, 3)
        var retry = resumed.makeCell(source: "plot loss")
        XCTAssertEqual(retry.id, third.id)
        retry.outputs = third.outputs
        try resumed.record(retry)
        XCTAssertEqual(try NotebookReader.read(fileText(url)).cells.map(\.n), [1, 2, 3])
    }

    func testIdsAreDeterministicAndUnique() {
        let a = CellIDGenerator(seed: 1234)
        let b = CellIDGenerator(seed: 1234)
        let c = CellIDGenerator(seed: 1235)
        var used = Set<String>()
        for n in 1...500 {
            let id = a.id(for: n, avoiding: used)
            XCTAssertEqual(id, b.id(for: n, avoiding: used))
            XCTAssertFalse(used.contains(id))
            XCTAssertTrue(id.count >= 4 && id.first!.isLetter, id)
            XCTAssertTrue(id.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }, id)
            used.insert(id)
        }
        XCTAssertNotEqual((1...10).map { a.id(for: $0, avoiding: []) }, (1...10).map { c.id(for: $0, avoiding: []) })
        // A collision moves to another id.
        let first = a.id(for: 7, avoiding: [])
        XCTAssertNotEqual(a.id(for: 7, avoiding: [first]), first)
    }

    func testStoreAssetNamesByContentHash() throws {
        let url = folder.appendingPathComponent("run.attune.md")
        let recorder = try NotebookRecorder.create(at: url, frontMatter: header())
        let data = Data("abc".utf8)
        let path = try recorder.storeAsset(data, stem: "p1", fileExtension: "json")
        // SHA-256("abc") = ba7816bf…
        XCTAssertEqual(path, "run.assets/p1-ba7816bf.json")
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent(path)), data)
        XCTAssertEqual(try recorder.storeAsset(data, stem: "p1", fileExtension: "json"), path)
        XCTAssertEqual(ContentHash.sha256Hex(data), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testRewriteReplacesFileAtomically() throws {
        let url = folder.appendingPathComponent("r.attune.md")
        let recorder = try NotebookRecorder.create(at: url, frontMatter: header())
        try recorder.record(recorder.makeCell(source: "model info"))
        try recorder.updateFrontMatter { $0.title = "Renamed" }
        let read = try NotebookReader.read(fileText(url))
        XCTAssertEqual(read.frontMatter?.title, "Renamed")
        XCTAssertEqual(read.cells.count, 1)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }
}

/// One recorder per notebook across sessions: the lock file beside it.
final class RecorderLockTests: XCTestCase {
    func testASecondRecorderOnTheSameNotebookIsRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attune-nb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("s.attune.md")
        var matter = FrontMatter()
        matter.format = FrontMatter.formatTag
        matter.seed = 42
        var first: NotebookRecorder? = try NotebookRecorder.create(at: url, frontMatter: matter)
        XCTAssertTrue(FileManager.default.fileExists(atPath: url.path + ".lock"))
        XCTAssertThrowsError(try NotebookRecorder.resume(at: url)) { error in
            XCTAssertEqual(error as? NotebookRecorderError, .beingRecorded(path: url.path, holder: getpid()))
            XCTAssertEqual("\(error)", "\(url.path) is being recorded by process \(getpid()) (lock \(url.path).lock); end that session first, or record to another file")
        }
        XCTAssertThrowsError(try NotebookRecorder.create(at: url, frontMatter: matter)) { error in
            XCTAssertEqual(error as? NotebookRecorderError, .alreadyExists(url.path))
        }
        var cell = try XCTUnwrap(first).makeCell(source: "model new tiny")
        cell.outputs = [.result("ok")]
        try first?.record(cell)
        first = nil
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path + ".lock"), "the lock goes with the recorder")
        let resumed = try NotebookRecorder.resume(at: url).recorder
        XCTAssertEqual(resumed.document.cells.map(\.source), ["model new tiny"])
    }
}
