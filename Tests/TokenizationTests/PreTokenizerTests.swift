import XCTest
import Tokenization

/// Each hand-written scanner against pieces produced by the official regular expressions.
final class PreTokenizerTests: XCTestCase {
    private func check(_ preTokenizer: PreTokenizer, _ expected: [[String]], file: StaticString = #filePath, line: UInt = #line) {
        for (text, pieces) in zip(PreTokenizerExpectations.cases, expected) {
            XCTAssertEqual(preTokenizer.split(text).map { Array($0.utf8) }, pieces.map { Array($0.utf8) }, "\(preTokenizer) on \(text.debugDescription)", file: file, line: line)
        }
    }

    func testGPT2Splits() { check(.gpt2, PreTokenizerExpectations.gpt2) }
    func testSmolLMSplits() { check(.smollm, PreTokenizerExpectations.smollm) }
    func testLlama3Splits() { check(.llama3, PreTokenizerExpectations.llama3) }
    func testQwen2Splits() { check(.qwen2, PreTokenizerExpectations.qwen2) }

    func testNoneKeepsTheWholeText() {
        XCTAssertEqual(PreTokenizer.none.split("a b  c"), ["a b  c"])
        XCTAssertEqual(PreTokenizer.none.split(""), [])
    }

    func testPiecesAlwaysConcatenateBackToTheText() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<300 {
            let text = RandomText.string(using: &generator, maxLength: 40)
            for preTokenizer in PreTokenizer.allCases {
                XCTAssertEqual(Array(preTokenizer.split(text).joined().utf8), Array(text.utf8), "\(preTokenizer)")
            }
        }
    }

    func testNamesFromGGUFAndRegex() {
        XCTAssertEqual(PreTokenizer(ggufName: "smollm"), .smollm)
        XCTAssertEqual(PreTokenizer(ggufName: "llama-bpe"), .llama3)
        XCTAssertEqual(PreTokenizer(ggufName: "qwen2"), .qwen2)
        XCTAssertNil(PreTokenizer(ggufName: "nonsense"))
        XCTAssertEqual(PreTokenizer(regex: PreTokenizer.llama3.pattern), .llama3)
        XCTAssertEqual(PreTokenizer(regex: PreTokenizer.qwen2.pattern), .qwen2)
    }

    /// 400 seeded random strings (contractions, whitespace runs, numbers, emoji, combining marks)
    /// split by Python's `regex` with the official patterns; see Fixtures/README.md.
    func testRandomStringsMatchTheOfficialPatterns() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/pretokenizer-random-splits.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let texts = object["texts"] as! [String]
        for preTokenizer in [PreTokenizer.gpt2, .smollm, .llama3, .qwen2] {
            let expected = object[preTokenizer.rawValue] as! [[String]]
            var mismatches = 0
            for (text, pieces) in zip(texts, expected) {
                let actual = preTokenizer.split(text)
                if actual.map({ Array($0.utf8) }) != pieces.map({ Array($0.utf8) }) {
                    mismatches += 1
                    if mismatches <= 3 { XCTFail("\(preTokenizer) on \(text.debugDescription): \(actual) != \(pieces)") }
                }
            }
            XCTAssertEqual(mismatches, 0, "\(preTokenizer)")
        }
    }
}
