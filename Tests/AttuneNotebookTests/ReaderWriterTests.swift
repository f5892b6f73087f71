import Essentials
import XCTest
@testable import AttuneNotebook

final class ReaderWriterTests: XCTestCase {
    func testExampleRoundTripsByteForByte() throws {
        let document = try NotebookReader.read(Fixtures.formatExample)
        XCTAssertEqual(NotebookWriter.write(document), Fixtures.formatExample)
    }

    func testExampleStructure() throws {
        let document = try NotebookReader.read(Fixtures.formatExample)
        let cells = document.cells
        XCTAssertEqual(cells.map(\.n), [1, 2, 3, 4, 5])
        XCTAssertEqual(cells.map(\.id), ["c1", "c2", "c3", "c4", "c5"])
        XCTAssertEqual(cells[1].tags, ["parameters"])
        XCTAssertEqual(cells[1].source, "set steps=60 batch=8 seq=128")
        XCTAssertEqual(cells[2].outputs.map(\.kind), [.stream, .metrics])
        let metrics = cells[2].outputs[1].metricsRecords().compactMap { try? $0.get() }
        XCTAssertEqual(metrics.count, 3)
        XCTAssertEqual(metrics[1]["loss"], .number(2.431))
        XCTAssertEqual(metrics[2]["loss"], .null)
        XCTAssertEqual(metrics[2]["diverged"], .bool(true))
        let plot = try XCTUnwrap(cells[3].outputs.first?.plot)
        XCTAssertEqual(plot.id, "p1")
        XCTAssertEqual(plot.src, "format-example.assets/p1-3b9c.png")
        XCTAssertEqual(plot.series, "format-example.assets/p1-3b9c.json")
        XCTAssertEqual(plot.image, ImageLink(alt: "training loss by learning rate", src: "format-example.assets/p1-3b9c.png"))
        XCTAssertTrue(cells[3].outputs[0].text.hasPrefix(" 5.5 ┤"))
        XCTAssertEqual(cells[4].outputs.first?.kind, .error)
        XCTAssertEqual(cells[4].outputs.first?.errorName, "InvalidValue")
        XCTAssertEqual(cells[4].tags, ["raises"])
        // Prose is kept, including the heading.
        guard case let .prose(first)? = document.blocks.first else { return XCTFail("expected prose first") }
        XCTAssertTrue(first.hasPrefix("\n# What does the learning rate do?\n"))
    }

    func testFrontMatterTypedKeys() throws {
        let matter = try XCTUnwrap(NotebookReader.read(Fixtures.formatExample).frontMatter)
        XCTAssertEqual(matter.format, FrontMatter.formatTag)
        XCTAssertEqual(matter.title, "Learning rate on the tiny model")
        XCTAssertEqual(matter.created, "2026-11-29T10:14:03Z")
        XCTAssertEqual(matter.engine, EngineInfo(name: "attune", version: "0.1.0"))
        XCTAssertEqual(matter.seed, 1234)
        XCTAssertEqual(matter.data, [DataFileInfo(path: "data/support.jsonl",
                                                  sha256: "9f2c0000000000000000000000000000000000000000000000000000000000aa")])
        XCTAssertEqual(matter.model?["name"], .string("tiny"))
        XCTAssertEqual(matter.params?["steps"], .number(60))
        let verify = matter.verify
        XCTAssertEqual(verify.rtol, 1e-4)
        XCTAssertEqual(verify.atol, 1e-6)
        XCTAssertEqual(verify.volatile, ["tokens_per_s", "elapsed_s", "rss_mb"])
        XCTAssertEqual(verify.sanitize, [Sanitizer(regex: #"\d+\.\d+ s\b"#, replace: "<TIME>")])
        XCTAssertEqual(matter.keys, ["format", "title", "created", "engine", "seed", "model", "data", "params", "verify"])
    }

    func testUnknownFrontMatterKeysAreKeptInOrder() throws {
        let text = "---\nformat: \"attune-notebook/1\"\nzeta: {\"b\": 1,   \"a\": [true]}\n# a comment\n\nalpha: 3\n---\n"
        var document = try NotebookReader.read(text)
        XCTAssertEqual(NotebookWriter.write(document), text)
        document.frontMatter?.title = "New"
        XCTAssertEqual(NotebookWriter.write(document),
                       "---\nformat: \"attune-notebook/1\"\nzeta: {\"b\": 1,   \"a\": [true]}\n# a comment\n\nalpha: 3\ntitle: \"New\"\n---\n")
    }

    func testGeneratedNotebooksRoundTrip() throws {
        var rng = SplitMix64(seed: 7)
        for round in 0..<200 {
            let document = Self.randomDocument(&rng, round: round)
            let text = NotebookWriter.write(document)
            let read = try NotebookReader.read(text)
            XCTAssertEqual(read, document, "round \(round):\n\(text)")
            XCTAssertEqual(NotebookWriter.write(read), text, "round \(round)")
        }
    }

    func testOutputContainingFencesGetsLongerFence() throws {
        let body = "```\ninner code\n````python\nx\n````\n   ```"
        var document = NotebookDocument(frontMatter: nil, blocks: [])
        document.append(Cell(n: 1, id: "a", source: "generate \"fences\"", outputs: [.result(body)]))
        let text = NotebookWriter.write(document)
        XCTAssertTrue(text.contains("`````output result\n"), text)
        let read = try NotebookReader.read(text)
        XCTAssertEqual(read.cells.first?.outputs.first?.text, body)
        XCTAssertEqual(read.cells.count, 1)
    }

    func testProseCodeBlocksAreNotCells() throws {
        let text = "Intro\n\n````markdown\n```attune n=1 id=\"x\"\nmodel info\n```\n````\n\n```attune n=1 id=\"real\"\nmodel info\n```\n"
        let document = try NotebookReader.read(text)
        XCTAssertEqual(document.cells.map(\.id), ["real"])
        XCTAssertEqual(NotebookWriter.write(document), text)
    }

    func testAttributeValuesWithBackticksAndQuotes() throws {
        let output = CellOutput.error(name: "Bad`Name \"q\"", message: "oops")
        let cell = Cell(n: 2, id: "x1", tags: ["a b", "skip"], source: "x", outputs: [output])
        let text = NotebookWriter.write(NotebookDocument(blocks: [.cell(cell)]))
        XCTAssertFalse(text.split(separator: "\n")[0].dropFirst(3).contains("`"))
        XCTAssertEqual(try NotebookReader.read(text).cells, [cell])
    }

    func testFileWithoutFinalNewlineRoundTrips() throws {
        let text = "# Title\n\n```attune n=1 id=\"a\"\nmodel info\n```"
        let document = try NotebookReader.read(text)
        XCTAssertFalse(document.endsWithNewline)
        XCTAssertEqual(NotebookWriter.write(document), text)
    }

    func testCRLFProseIsKept() throws {
        let text = "line one\r\nline two\r\n\n```attune n=1 id=\"a\"\nx\n```\n"
        XCTAssertEqual(NotebookWriter.write(try NotebookReader.read(text)), text)
    }

    // MARK: - Random documents

    static func randomDocument(_ rng: inout SplitMix64, round: Int) -> NotebookDocument {
        var document = NotebookDocument()
        if rng.next() % 3 != 0 {
            var matter = FrontMatter()
            matter.format = FrontMatter.formatTag
            matter.title = "Run \(round) \u{2014} \"quoted\""
            matter.seed = rng.next() % 100_000
            if rng.next() % 2 == 0 { matter["custom_\(round)"] = .array([.number(1.5), .string("x"), .null]) }
            matter.params = .object([("steps", .number(Double(rng.next() % 100)))])
            document.frontMatter = matter
        }
        let generator = CellIDGenerator(seed: UInt64(round))
        let cellCount = Int(rng.next() % 6)
        var n = 0
        for _ in 0..<cellCount {
            if rng.next() % 2 == 0 { document.appendProse(randomProse(&rng)) }
            n += 1 + Int(rng.next() % 3)
            var cell = Cell(n: n, id: generator.id(for: n, avoiding: Set(document.cells.map(\.id))),
                            source: randomText(&rng, lines: 1 + Int(rng.next() % 3)))
            if rng.next() % 4 == 0 { cell.tags = ["parameters"] }
            for _ in 0..<Int(rng.next() % 4) {
                switch rng.next() % 5 {
                case 0: cell.outputs.append(.result(randomText(&rng, lines: 1 + Int(rng.next() % 2))))
                case 1: cell.outputs.append(.stream(randomText(&rng, lines: 1 + Int(rng.next() % 4))))
                case 2: cell.outputs.append(.metrics([.object([("step", .number(Double(rng.next() % 50))),
                                                               ("loss", .number(Double(rng.next() % 1000) / 97))])]))
                case 3: cell.outputs.append(.plot(PlotInfo(id: "p\(n)", src: "a.assets/p\(n).png", series: "a.assets/p\(n).json",
                                                           image: rng.next() % 2 == 0 ? ImageLink(alt: "loss [x]", src: "a.assets/p\(n).png") : nil),
                                                  text: randomText(&rng, lines: 2)))
                default: cell.outputs.append(.error(name: "InvalidValue", message: randomText(&rng, lines: 1)))
                }
            }
            document.append(cell)
        }
        return document
    }

    /// Prose whose lines never start a fence or an image line (those would change the structure).
    static func randomProse(_ rng: inout SplitMix64) -> String {
        let pieces = ["Some words.", "# Heading", "- item `code`", "", "Ünïcödé ⠉⠒ text", "x ```", "Key: value"]
        return (0..<1 + Int(rng.next() % 4)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined(separator: "\n")
    }

    static func randomText(_ rng: inout SplitMix64, lines: Int) -> String {
        let pieces = ["loss 2.431", "```", "````", "~~~", "# heading", "plain words", "`inline`", "ünïcödé ⠉⠒",
                      "---", "key: 1", "  ```python", "\t tab", "![img](x.png)", "```output result", "{\"a\": 1}"]
        return (0..<lines).map { _ in
            (0..<1 + Int(rng.next() % 3)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined(separator: " ")
        }.joined(separator: "\n")
    }
}

