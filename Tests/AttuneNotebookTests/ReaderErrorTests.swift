import Essentials
import XCTest
@testable import AttuneNotebook

final class ReaderErrorTests: XCTestCase {
    /// Table of malformed notebooks: each must fail with this line and a message containing this text.
    func testMalformedFilesReportLineNumbers() {
        let cases: [(text: String, line: Int, message: String)] = [
            ("---\nformat: \"attune-notebook/1\"\n", 1, "never closed with '---'"),
            ("---\nformat: attune\n---\n", 2, "not valid JSON"),
            ("---\nseed: \"x\"\n---\n", 2, "'seed' must be"),
            ("---\ntitle: \"a\"\ntitle: \"b\"\n---\n", 3, "appears twice"),
            ("---\njust words\n---\n", 2, "not 'key: <JSON>'"),
            ("x\n```attune id=\"a\"\ny\n```\n", 2, "no number 'n'"),
            ("```attune n=1\ny\n```\n", 1, "no 'id'"),
            ("```attune n=2 id=\"a\"\ny\n```\n\n```attune n=2 id=\"b\"\ny\n```\n", 5, "does not increase"),
            ("```attune n=1 id=\"a\"\ny\n```\n\n```attune n=2 id=\"a\"\ny\n```\n", 5, "used twice"),
            ("```attune n=1 id=\"a\"\ny\n", 1, "never closed"),
            ("```attune n=1 id=\"a\"\ny\n```\n```output banana\nz\n```\n", 4, "unknown output kind 'banana'"),
            ("```attune n=1 id=\"a\"\ny\n```\n```output\nz\n```\n", 4, "has no kind"),
            ("```attune n=1 id=\"a\"\ny\n```\n```output result\nz\n", 4, "never closed"),
            ("# t\n\n```output result\nz\n```\n", 3, "does not follow a cell"),
            ("```attune n=1 id=\"a\"\ny\n```\n```output metrics\n{\"a\": 1}\nnot json\n```\n", 6, "metrics line 2"),
            ("```attune n=1 id=\"a\" tags=[1]\ny\n```\n", 1, "tags"),
            ("```attune n=1 id=\"a\" tags=[\"x\"\ny\n```\n", 1, "tags"),
            ("```attune n=-1 id=\"a\"\ny\n```\n", 1, "non-negative"),
        ]
        for (text, line, message) in cases {
            do {
                let document = try NotebookReader.read(text)
                XCTFail("expected an error for:\n\(text)\ngot \(document)")
            } catch {
                XCTAssertEqual(error.line, line, "\(error) for:\n\(text)")
                XCTAssertTrue(error.message.contains(message), "\(error) should mention \(message)")
            }
        }
    }

    func testErrorDescriptionHasLineAndColumn() {
        XCTAssertThrowsError(try NotebookReader.read("---\nseed: [1,\n---\n")) { error in
            XCTAssertEqual((error as? NotebookReadError)?.description.hasPrefix("line 2, column "), true, "\(error)")
        }
    }

    /// Truncations at every byte and random edits of the example: never a crash, and every error
    /// points at a line that exists.
    func testFuzzTruncationsAndEdits() {
        let bytes = Array(Fixtures.formatExample.utf8)
        let lineCount = Fixtures.formatExample.split(separator: "\n", omittingEmptySubsequences: false).count
        var errors = 0
        for cut in 0...bytes.count {
            let text = String(decoding: bytes[..<cut], as: UTF8.self)
            do {
                let document = try NotebookReader.read(text)
                XCTAssertEqual(NotebookWriter.write(document), text, "cut at \(cut)")
            } catch {
                errors += 1
                XCTAssertTrue((1...lineCount).contains(error.line), "cut \(cut): \(error)")
            }
            if cut % 4 == 0 { _ = try? NotebookReader.readRecovering(text) }
        }
        XCTAssertGreaterThan(errors, 0)
        var rng = SplitMix64(seed: 99)
        let alphabet = Array("`~-:\"[]{}=\n \\!()#0123456789aeiou⠉".utf8)
        for _ in 0..<1500 {
            var mutated = bytes
            for _ in 0..<1 + Int(rng.next() % 4) {
                let position = Int(rng.next() % UInt64(mutated.count))
                switch rng.next() % 3 {
                case 0: mutated[position] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: mutated.remove(at: position)
                default: mutated.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: position)
                }
            }
            let text = String(decoding: mutated, as: UTF8.self)
            if let document = try? NotebookReader.read(text) {
                // Whatever parses must parse again to the same document.
                XCTAssertEqual(try? NotebookReader.read(NotebookWriter.write(document)), document)
            }
            _ = try? NotebookReader.readRecovering(text)
        }
    }

    func testRandomBytesNeverCrash() {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<500 {
            let bytes = (0..<Int(rng.next() % 400)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = try? NotebookReader.read(String(decoding: bytes, as: UTF8.self))
        }
        let deep = "---\nmodel: " + String(repeating: "[", count: 100_000) + "\n---\n"
        XCTAssertThrowsError(try NotebookReader.read(deep))
    }
}
