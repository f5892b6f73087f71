import AttuneLanguage
import XCTest

/// The typed view of argument values the interpreter uses.
final class ValueTests: XCTestCase {
    func testNumbers() throws {
        let value = try XCTUnwrap(firstValue("set lr=2e-4"))
        XCTAssertEqual(value.number, 2e-4)
        XCTAssertNil(value.integer)
        XCTAssertEqual(value.fraction, 2e-4)
        XCTAssertEqual(value.text, "2e-4")
        XCTAssertEqual(value.kindDescription, "a number")
        XCTAssertEqual(firstValue("train steps=1_000")?.integer, 1000)
        XCTAssertEqual(firstValue("show -3")?.integer, -3)
        XCTAssertEqual(firstValue("train steps=1e3")?.integer, 1000)
        XCTAssertNil(firstValue("train steps=\"5\"")?.number)
    }

    func testPercentIsKeptApartFromNumbers() throws {
        let value = try XCTUnwrap(firstValue("data split train=90%"))
        XCTAssertEqual(value.kind, .percent(90))
        XCTAssertEqual(value.percent, 90)
        XCTAssertNil(value.number)
        XCTAssertEqual(value.fraction, 0.9)
        XCTAssertEqual(value.kindDescription, "a percentage")
    }

    func testStringsBoolsIdentifiers() {
        XCTAssertEqual(firstValue("data load 'a b.jsonl'")?.string, "a b.jsonl")
        XCTAssertEqual(firstValue("data load 'a b.jsonl'")?.word, "a b.jsonl")
        XCTAssertEqual(firstValue("export gguf x merge=false")?.identifier, "x")
        XCTAssertEqual(onlyStatement("export gguf x merge=false")?.command?.value(for: "merge")?.bool, false)
        XCTAssertEqual(firstValue("model load smollm2")?.word, "smollm2")
        XCTAssertEqual(firstValue("data load support.jsonl")?.word, "support.jsonl")
        XCTAssertNil(firstValue("model load smollm2")?.string)
    }

    func testLists() throws {
        let value = try XCTUnwrap(firstValue("sweep lr=[1e-4, 3e-4, [a, \"b\"]]"))
        let items = try XCTUnwrap(value.elements)
        XCTAssertEqual(items.count, 3)
        XCTAssertEqual(items[1].number, 3e-4)
        XCTAssertEqual(items[2].elements?.map(\.description), ["id:a", "str:\"b\""])
        XCTAssertEqual(value.text, "[1e-4, 3e-4, [a, \"b\"]]")
        XCTAssertEqual(firstValue("set shape=(4, 8)")?.elements?.compactMap(\.integer), [4, 8])
        XCTAssertEqual(firstValue("set shape=(4, 8)")?.kindDescription, "a tuple")
    }

    func testTensorPaths() throws {
        let path = try XCTUnwrap(firstValue("show layers.0.attn.q_proj.lora_B.grad[0:4, :8]")?.path)
        XCTAssertEqual(path.components, [.name("layers"), .index(0), .name("attn"), .name("q_proj"), .name("lora_B"),
                                         .name("grad"), .indexing([.range(start: 0, end: 4, step: nil),
                                                                  .range(start: nil, end: 8, step: nil)])])
        XCTAssertTrue(path.isGradient)
        XCTAssertFalse(path.isPattern)
        XCTAssertEqual(path.tensorName, "layers.0.attn.q_proj.lora_B")
        XCTAssertEqual(path.slices, [.range(start: 0, end: 4, step: nil), .range(start: nil, end: 8, step: nil)])
        XCTAssertEqual(path.description, "layers.0.attn.q_proj.lora_B.grad[0:4, :8]")

        let pattern = try XCTUnwrap(firstValue("list layers.*.attn.*")?.path)
        XCTAssertTrue(pattern.isPattern)
        XCTAssertFalse(pattern.isGradient)

        let slices = try XCTUnwrap(firstValue("show x[-1, ::2, 1:-1:3]")?.path)
        XCTAssertEqual(slices.slices, [.index(-1), .range(start: nil, end: nil, step: 2), .range(start: 1, end: -1, step: 3)])

        XCTAssertEqual(onlyStatement("compare a b on=val[0:5]")?.command?.value(for: "on")?.path?.tensorName, "val")
    }

    func testIdentifierReadsAsOneNamePath() {
        XCTAssertEqual(firstValue("show token_embd")?.path, TensorPath([.name("token_embd")]))
        XCTAssertEqual(firstValue("show token_embd")?.kindDescription, "a name")
        XCTAssertNil(firstValue("show 5")?.path)
    }

    func testRangesOfValues() throws {
        let statement = try XCTUnwrap(onlyStatement("method lora targets=[q_proj, v_proj] r=16"))
        let arguments = statement.command!.arguments
        XCTAssertEqual(arguments.map { "\($0.range.start.column)+\($0.range.length)" }, ["8+4", "13+24", "38+4"])
        XCTAssertEqual(arguments[1].key?.range.start.column, 13)
        XCTAssertEqual(arguments[1].value.range.start.column, 21)
        XCTAssertEqual(arguments[1].value.elements?.map(\.range.start.column), [22, 30])
        XCTAssertEqual(statement.command!.positional.map(\.text), ["lora"])
        XCTAssertEqual(statement.command!.keyed.map { $0.key?.text }, ["targets", "r"])
    }
}
