import Foundation
import Synchronization
import XCTest
import Tokenization

/// Special and added tokens written inside text.
final class SpecialTokenTests: XCTestCase {
    private func qwen() throws -> BPETokenizer {
        let files = FixtureTokenizers.qwen2()
        return try BPETokenizer(huggingFaceTokenizerJSON: files.tokenizer, config: files.config)
    }

    func testSpecialTokensAreSplitOutBeforePreTokenization() throws {
        let tokenizer = try qwen()
        let start = tokenizer.id(for: "<|im_start|>")!, end = tokenizer.id(for: "<|im_end|>")!
        let ids = tokenizer.encode("<|im_start|>user\nhello<|im_end|><|im_end|>")
        XCTAssertEqual(ids.first, start)
        XCTAssertEqual(Array(ids.suffix(2)), [end, end])
        XCTAssertEqual(tokenizer.kind(of: start), .control)
        // Glued to words on both sides.
        let glued = tokenizer.encode("x<|im_end|>y")
        XCTAssertEqual(glued.map { tokenizer.token(for: $0)! }, ["x", "<|im_end|>", "y"])
    }

    func testParsingCanBeTurnedOff() throws {
        let tokenizer = try qwen()
        let ids = tokenizer.encode("<|im_end|>", parseSpecialTokens: false)
        XCTAssertFalse(ids.contains(tokenizer.id(for: "<|im_end|>")!))
        XCTAssertEqual(tokenizer.decode(ids), "<|im_end|>")
    }

    func testPartialAndOverlappingMarkersStayText() throws {
        let tokenizer = try qwen()
        let end = tokenizer.id(for: "<|im_end|>")!
        for text in ["<|im_end|", "<|im_en", "<<|im_end|>", "<|im_end|>>", "|im_end|>"] {
            let ids = tokenizer.encode(text)
            XCTAssertEqual(ids.filter { $0 == end }.count, text.contains("<|im_end|>") ? 1 : 0, text)
            XCTAssertEqual(tokenizer.decode(ids), text)
        }
    }

    func testLongestSpecialTokenWins() throws {
        let tokenizer = try BPETokenizer(
            vocabulary: ByteLevelAlphabet.scalars.map { String($0) } + ["<a>", "<a><b>"], merges: [],
            tokenTypes: [Int](repeating: 1, count: 256) + [3, 4])
        XCTAssertEqual(tokenizer.encode("<a><b><a>"), [257, 256])
        XCTAssertEqual(tokenizer.kind(of: 257), .userDefined)
    }

    func testSkippingSpecialTokensWhenDecoding() throws {
        let tokenizer = try qwen()
        let ids = tokenizer.encode("<|im_start|>assistant\nHi<|im_end|>")
        XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: true), "assistant\nHi")
    }

    func testOffsetsPointAtTokenStarts() throws {
        let tokenizer = try qwen()
        let text = "Hello<|im_end|> world"
        let encoding = tokenizer.encode(text, options: EncodingOptions())
        let bytes = Array(text.utf8)
        for (id, offset) in zip(encoding.ids, encoding.offsets) {
            let tokenBytes = tokenizer.bytes(of: id)
            XCTAssertEqual(Array(bytes[offset..<(offset + tokenBytes.count)]), tokenBytes)
        }
    }
}

/// One tokenizer shared by many threads (the merge cache sits behind a mutex).
final class ConcurrencyTests: XCTestCase {
    func testConcurrentEncodesAgreeWithSerialOnes() throws {
        let files = FixtureTokenizers.llama3()
        let tokenizer = try BPETokenizer(huggingFaceTokenizerJSON: files.tokenizer, config: files.config)
        var generator = SeededGenerator(seed: 21)
        let texts = (0..<64).map { _ in RandomText.string(using: &generator, maxLength: 200) }
        let serial = texts.map { tokenizer.encode($0) }
        let results = Mutex<[Int: [Int]]>([:])
        DispatchQueue.concurrentPerform(iterations: texts.count) { index in
            let ids = tokenizer.encode(texts[index])
            results.withLock { $0[index] = ids }
        }
        let parallel = results.withLock { $0 }
        XCTAssertEqual((0..<texts.count).map { parallel[$0]! }, serial)
    }
}
