import Foundation
import XCTest

/// Every input in `Tests/FuzzCorpus/TARGET/` — the seed corpus and each input a fuzz campaign found
/// crashing (kept there as a regression test once fixed) — runs through its fuzz target in the
/// ordinarily built `attune-fuzz`, which must finish every one without a crash (`Scripts/fuzz`).
final class FuzzCorpusTests: XCTestCase {
    static let targets = ["gguf", "safetensors", "hfconfig", "jsonl", "notebook", "language"]

    func testEveryCorpusInputRunsWithoutACrash() throws {
        guard let attune = attuneBinary() else { throw XCTSkip("the attune binary is not built") }
        let binary = attune.deletingLastPathComponent().appendingPathComponent("attune-fuzz")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("attune-fuzz is not built") }
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("FuzzCorpus")
        for target in Self.targets {
            let folder = corpus.appendingPathComponent(target)
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map { folder.appendingPathComponent($0).path }
            XCTAssertFalse(files.isEmpty, "no seed inputs for \(target)")
            let result = try runBinary(binary, [target] + files, environment: ["SWIFT_BACKTRACE": "enable=no"])
            XCTAssertEqual(result.status, 0, "\(target): \(result.err)")
            XCTAssertTrue(result.out.contains("attune-fuzz \(target): \(files.count) inputs ran without a crash"), result.out)
        }
    }
}
