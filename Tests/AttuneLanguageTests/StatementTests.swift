import AttuneLanguage
import XCTest

/// Statements keep their source text, lines and command words: the notebook records them.
final class StatementTests: XCTestCase {
    func testSourceTextAndLines() {
        let source = """
            model load smollm2   # the small one

            method lora \\
              r=16 targets=[
                q_proj,
                v_proj,
              ]
            train
            """
        let statements = Parser.parse(source: source).statements
        XCTAssertEqual(statements.map(\.text), [
            "model load smollm2",
            "method lora \\\n  r=16 targets=[\n    q_proj,\n    v_proj,\n  ]",
            "train",
        ])
        XCTAssertEqual(statements.map(\.lines), [1...1, 3...7, 8...8])
    }

    func testCommandWordsAndSpec() throws {
        let statement = try XCTUnwrap(onlyStatement("tuned = model load smollm2"))
        XCTAssertEqual(statement.binding?.text, "tuned")
        XCTAssertEqual(statement.binding?.range.start.column, 1)
        XCTAssertEqual(statement.command!.name, "model load")
        XCTAssertEqual(statement.command!.words.map(\.text), ["model", "load"])
        XCTAssertEqual(statement.command!.words.map(\.range.start.column), [9, 15])
        XCTAssertEqual(statement.command!.spec.usage, "model load NAME|PATH")
        XCTAssertEqual(statement.command!.range.start.column, 9)
        XCTAssertEqual(statement.text, "tuned = model load smollm2")
    }

    func testHelpShorthandKeepsItsSource() throws {
        let statement = try XCTUnwrap(onlyStatement("?lr"))
        XCTAssertEqual(statement.command!.name, "help")
        XCTAssertEqual(statement.command!.words.map(\.text), ["?"])
        XCTAssertEqual(statement.command!.positional.first?.identifier, "lr")
        XCTAssertEqual(statement.text, "?lr")
    }

    func testCustomCommandTable() {
        let table = CommandTable.standard.adding([
            CommandSpec(["quit"], usage: "quit", summary: "Leave the REPL."),
            CommandSpec(["model", "drop"], usage: "model drop", summary: "Unload the model."),
        ])
        XCTAssertEqual(Parser.parse(source: "quit\nmodel drop", commands: table).statements.map { $0.command?.name },
                       ["quit", "model drop"])
        XCTAssertEqual(Parser.parse(source: "quit").diagnostics.map(\.message),
                       ["unknown command 'quit'; type help to list the commands"])
    }

    func testParsingTwiceGivesTheSameResult() {
        var parser = Parser(source: "eval\ntrian")
        let first = parser.parse()
        XCTAssertEqual(first.statements.count, 1)
        XCTAssertEqual(first.diagnostics.count, 1)
        XCTAssertEqual(parser.parse(), first)
    }
}
