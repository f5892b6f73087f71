import XCTest
@testable import AttuneNotebook

final class ParameterTests: XCTestCase {
    func testOverrideRewritesParametersCellAndFrontMatter() throws {
        let document = try NotebookReader.read(Fixtures.formatExample)
        XCTAssertEqual(document.parameterNames, ["steps", "batch", "seq"])
        let changed = try document.applyingParameters([ParameterOverride.parse("steps=10"), ParameterOverride.parse("batch=4")])
        XCTAssertEqual(changed.cell(n: 2)?.source, "set steps=10 batch=4 seq=128")
        XCTAssertEqual(changed.frontMatter?.params, .object([("steps", .number(10)), ("batch", .number(4))]))
        XCTAssertEqual(changed.frontMatter?.rawValue(forKey: "params"), #"{"steps": 10, "batch": 4}"#)
        // Nothing else changes.
        XCTAssertEqual(changed.cell(n: 3), document.cell(n: 3))
        let text = NotebookWriter.write(changed)
        XCTAssertTrue(text.contains("```attune n=2 id=\"c2\" tags=[\"parameters\"]\nset steps=10 batch=4 seq=128\n```"))
        XCTAssertEqual(try NotebookReader.read(text), changed)
    }

    func testScannerSkipsStringsCommentsAndHandlesLists() {
        XCTAssertEqual(ParameterScanner.replacing("lr", with: "1e-3", in: #"set lr=2e-4 note="lr=5" # lr=9"#),
                       #"set lr=1e-3 note="lr=5" # lr=9"#)
        XCTAssertEqual(ParameterScanner.replacing("targets", with: "[q_proj]", in: "method lora r=8 targets=[q_proj, v_proj] alpha=16"),
                       "method lora r=8 targets=[q_proj] alpha=16")
        XCTAssertEqual(ParameterScanner.replacing("r", with: "4", in: "method lora r=8 warmup_r=3"),
                       "method lora r=4 warmup_r=3")
    }

    func testLetDeclarationsAreParameters() throws {
        XCTAssertEqual(ParameterScanner.replacing("steps", with: "20", in: "let steps = 10   # how long"), "let steps = 20   # how long")
        XCTAssertEqual(ParameterScanner.replacing("rates", with: "[1e-3]", in: "  let rates = [1e-4, 3e-4]"), "  let rates = [1e-3]")
        XCTAssertEqual(ParameterScanner.replacing("name", with: "\"b\"", in: "let name = \"a # not a comment\""), "let name = \"b\"")
        XCTAssertEqual(ParameterScanner.replacing("x", with: "2", in: "let x == 1"), "let x == 1", "not a declaration")
        let document = NotebookDocument(blocks: [.cell(Cell(n: 1, id: "p", tags: [Cell.Tag.parameters], source: "let steps = 10\nlet lr = 2e-4\nset batch=4"))])
        XCTAssertEqual(document.parameterNames, ["steps", "lr", "batch"])
        let changed = try document.applyingParameters([ParameterOverride(key: "steps", value: "3")])
        XCTAssertEqual(changed.cells.first?.source, "let steps = 3\nlet lr = 2e-4\nset batch=4")
    }

    func testUnknownAndMalformedParameters() throws {
        let document = try NotebookReader.read(Fixtures.formatExample)
        XCTAssertThrowsError(try document.applyingParameters([ParameterOverride(key: "step", value: "3")])) { error in
            XCTAssertEqual(error as? ParameterError, .unknownParameter("step", known: ["steps", "batch", "seq"], suggestion: "steps"))
            XCTAssertEqual("\(error)", "unknown parameter 'step' — did you mean 'steps'? (parameters: steps, batch, seq)")
        }
        XCTAssertThrowsError(try ParameterOverride.parse("steps")) { error in
            XCTAssertEqual(error as? ParameterError, .malformed("steps"))
        }
        XCTAssertEqual(try ParameterOverride.parse(" lr = 3e-4 "), ParameterOverride(key: "lr", value: "3e-4"))
    }

    func testFrontMatterOnlyParameter() throws {
        var matter = FrontMatter()
        matter.params = .object([("model_name", .string("tiny"))])
        let document = NotebookDocument(frontMatter: matter)
        let changed = try document.applyingParameters([ParameterOverride(key: "model_name", value: "\"smollm2\"")])
        XCTAssertEqual(changed.frontMatter?.params?["model_name"], .string("smollm2"))
    }
}
