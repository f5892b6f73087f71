import AttuneLanguage
import XCTest

/// The command table must hold the surface of DESIGN.md §3a, names and forms unchanged.
final class CommandTableTests: XCTestCase {
    func testSurfaceOfDesign3a() {
        let expected = [
            "model load", "model new", "model info", "data load", "data check", "data split", "data show", "data dedup",
            "data redact", "data compare", "data mix", "method", "set", "train", "checkpoint save", "checkpoint keep", "resume", "eval", "eval general",
            "compare", "generate",
            "tokenize", "logits", "activations", "show", "list", "plot", "sweep", "estimate", "advise", "help", "adapter save",
            "adapter load", "export gguf", "export merged", "export trl", "export axolotl",
        ]
        XCTAssertEqual(CommandTable.standard.commands.map(\.name), expected)
    }

    func testGroupsAndVerbs() {
        let table = CommandTable.standard
        XCTAssertEqual(table.nouns, ["model", "data", "checkpoint", "eval", "adapter", "export"])
        XCTAssertEqual(table.verbs(of: "eval"), ["general"])
        XCTAssertEqual(table.command(named: "eval")?.usage, "eval [on=SET] [schema=PATH]")
        XCTAssertEqual(table.verbs(of: "export"), ["gguf", "merged", "trl", "axolotl"])
        XCTAssertEqual(table.verbs(of: "train"), [])
        XCTAssertTrue(table.singleWordCommands.contains("sweep"))
        XCTAssertFalse(table.singleWordCommands.contains("model"))
        XCTAssertEqual(table.command(named: "data split")?.usage, "data split train= val= [test=] [seed=]")
        XCTAssertNil(table.command(named: "data"))
        XCTAssertTrue(table.commands.allSatisfy { !$0.summary.isEmpty && $0.usage.hasPrefix($0.name) })
    }

    func testAddingKeepsTheFirstEntry() {
        let table = CommandTable.standard.adding([CommandSpec(["train"], usage: "train again", summary: "x")])
        XCTAssertEqual(table.command(named: "train")?.usage, "train [steps=N|epochs=N]")
        XCTAssertEqual(table.commands.count, CommandTable.standard.commands.count)
    }
}
