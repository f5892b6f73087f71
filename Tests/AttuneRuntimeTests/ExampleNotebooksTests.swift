import Foundation
import XCTest
@testable import AttuneRuntime

/// `help notebooks` lists exactly the notebooks in Notebooks/.
final class ExampleNotebooksTests: XCTestCase {
    static let notebooks = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Notebooks")

    func testEveryListedNotebookExistsAndEveryNotebookIsListed() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.notebooks.path).filter { $0.hasSuffix(".attune.md") }
        XCTAssertFalse(files.isEmpty, "no notebooks found in \(Self.notebooks.path)")
        let listed = ExampleNotebooks.all.map(\.file)
        XCTAssertEqual(Set(listed).count, listed.count, "a notebook is listed twice")
        for file in listed {
            XCTAssertTrue(files.contains(file), "ExampleNotebooks lists \(file), which is not in Notebooks/")
        }
        for file in files {
            XCTAssertTrue(listed.contains(file), "Notebooks/\(file) is not in ExampleNotebooks.all (help notebooks): add it with its question, model and minutes")
        }
        // The model column agrees with each notebook's front matter.
        for entry in ExampleNotebooks.all {
            let text = try String(contentsOf: Self.notebooks.appendingPathComponent(entry.file), encoding: .utf8)
            let isTiny = text.split(separator: "\n").prefix(12).contains { $0.hasPrefix("model: ") && $0.contains("\"name\": \"tiny\"") }
            XCTAssertEqual(entry.model == "tiny", isTiny, "\(entry.file): model \(entry.model) disagrees with its front matter")
        }
    }

    func testHelpNotebooksPrintsOneLinePerNotebook() {
        let interpreter = makeInterpreter()
        let text = ok(interpreter, "help notebooks")
        XCTAssertTrue(text.hasPrefix("Example notebooks in Notebooks/"), text)
        for entry in ExampleNotebooks.all {
            XCTAssertTrue(text.contains("  \(entry.file) ") && text.contains(entry.question), entry.file)
        }
        XCTAssertTrue(text.contains("quickstart.attune.md          SmolLM2-135M  4.4 min  Can LoRA teach"), text)
        XCTAssertEqual(ok(interpreter, "help examples"), text)
    }
}
