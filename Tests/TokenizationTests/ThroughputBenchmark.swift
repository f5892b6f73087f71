import Foundation
import XCTest
import Tokenization

/// Encoding speed on a text file named by `ATTUNE_TOKENIZER_BENCH`, with the SmolLM2 dump of
/// `ATTUNE_TOKENIZER_DUMP`. Skipped unless both are set; meaningful in a release build:
///
///     ATTUNE_TOKENIZER_DUMP=… ATTUNE_TOKENIZER_BENCH=text.txt \
///       swift test -c release --filter ThroughputBenchmark
///
/// With `ATTUNE_TOKENIZER_BENCH_IDS` (a JSON array of the ids Hugging Face `tokenizers` gives
/// the same text) the ids are compared too.
final class ThroughputBenchmark: XCTestCase {
    func testEncodeThroughput() throws {
        guard let path = ProcessInfo.processInfo.environment["ATTUNE_TOKENIZER_BENCH"] else {
            throw XCTSkip("set ATTUNE_TOKENIZER_BENCH to a text file")
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let clock = ContinuousClock()
        var built: BPETokenizer?
        let load = try clock.measure { built = try SmolLM2DumpTests.buildFromDump() }
        let tokenizer = built!
        print("build from dump (JSON parse + tables): \(load)")
        var ids = [Int]()
        let cold = clock.measure { ids = tokenizer.encode(text) }
        let warm = clock.measure { ids = tokenizer.encode(text) }
        var decoded = ""
        let decode = clock.measure { decoded = tokenizer.decode(ids) }
        for preTokenizer in [PreTokenizer.smollm, .llama3] {
            var count = 0
            let split = clock.measure { count = preTokenizer.split(text).count }
            print("pre-tokenizer \(preTokenizer): \(count) pieces in \(split)")
        }
        XCTAssertEqual(Array(decoded.utf8), Array(text.utf8))
        // Pathological inputs: one 1 MB word, one 1 MB whitespace run, 1 MB of digits.
        var generator = SeededGenerator(seed: 1)
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let word = String((0..<1_000_000).map { _ in letters.randomElement(using: &generator)! })
        for (name, input) in [("1 MB word", word), ("1 MB spaces", String(repeating: " ", count: 1_000_000)),
                              ("1 MB digits", String(repeating: "1234567890", count: 100_000))] {
            var count = 0
            let time = clock.measure { count = tokenizer.encode(input).count }
            print("encode \(name) → \(count) tokens in \(time)")
        }
        // Optional: ids from Hugging Face `tokenizers` for the same text (a JSON array).
        if let expectedPath = ProcessInfo.processInfo.environment["ATTUNE_TOKENIZER_BENCH_IDS"] {
            let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: expectedPath))) as! [Int]
            XCTAssertEqual(ids.count, expected.count)
            let firstDifference = zip(ids, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            XCTAssertNil(firstDifference, "first differing token index")
        }
        print("encode \(text.utf8.count) bytes → \(ids.count) tokens: cold cache \(cold), warm cache \(warm); decode \(decode)")
    }
}
