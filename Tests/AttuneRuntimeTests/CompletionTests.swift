@testable import AttuneRuntime
import Foundation
import XCTest

final class CompletionTests: XCTestCase {
    func completer(tiny: Bool = true, base: URL? = nil) -> Completer {
        let interpreter = makeInterpreter(tiny: tiny, paths: .unrestricted(base: base ?? temporaryFolder()))
        return Completer(registry: interpreter.registry, session: interpreter.session)
    }

    func testCommandsVerbsAndArguments() {
        let c = completer()
        XCTAssertEqual(c.complete("mo").candidates, ["model"])
        XCTAssertEqual(c.complete("model ").candidates, ["info", "load", "new"])
        XCTAssertEqual(c.complete("model new tiny la").candidates, ["layers="])
        XCTAssertEqual(c.complete("tr").candidates, ["train"])
        XCTAssertEqual(c.complete("train st").candidates, ["steps="])
        XCTAssertEqual(c.complete("method ").candidates.prefix(3), ["alpha=", "base=", "dropout="])
    }

    func testHyperparametersAndValues() {
        let c = completer()
        XCTAssertEqual(c.complete("set warm").candidates, ["warmup="])
        XCTAssertEqual(c.complete("set schedule=co").candidates, ["schedule=constant", "schedule=cosine"])
        XCTAssertEqual(c.complete("?l").candidates, ["?list", "?log_every", "?logits", "?lr"])
        XCTAssertEqual(c.complete("help model").candidates, ["model"])
        XCTAssertEqual(c.complete("data load \"x\" format=c").candidates, ["format=chat", "format=completion"])
    }

    func testTensorNames() {
        let c = completer()
        XCTAssertEqual(c.complete("show layers.0.attn.q").candidates, ["layers.0.attn.q_proj"])
        XCTAssertEqual(c.complete("list layers.1.mlp.").candidates, ["layers.1.mlp.down_proj", "layers.1.mlp.gate_proj", "layers.1.mlp.up_proj"])
        XCTAssertEqual(completer(tiny: false).complete("show emb").candidates, [])
    }

    func testFilePaths() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("models/smol"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("models/a.gguf").path, contents: Data())
        let c = completer(base: folder)
        XCTAssertEqual(c.complete("model load \"mo").candidates, ["\"models/"])
        XCTAssertEqual(c.complete("model load \"models/").candidates, ["\"models/a.gguf", "\"models/smol/"])
        XCTAssertEqual(c.complete("model load mod").candidates, ["models/"])
    }

    func testCommonPrefix() {
        XCTAssertEqual(Completer.Completion(word: "set s", candidates: ["schedule=", "seed=", "seq=", "steps="]).commonPrefix, "s")
        XCTAssertEqual(Completer.Completion(word: "l", candidates: ["layers.0.attn.q_proj", "layers.0.attn.k_proj"]).commonPrefix, "layers.0.attn.")
    }
}
