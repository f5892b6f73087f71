import XCTest
import Tokenization

/// Token-by-token decoding for generation.
final class StreamingDecoderTests: XCTestCase {
    func testMultiByteCharactersWaitForTheirLastByte() {
        let tokenizer = ByteTokenizer()
        var decoder = StreamingDecoder(tokenizer: tokenizer)
        let ids = tokenizer.encode("a👋b")
        let pieces = ids.map { decoder.push($0) }
        XCTAssertEqual(pieces, ["a", "", "", "", "👋", "b"])
        XCTAssertEqual(decoder.finish(), "")
    }

    func testInvalidBytesBecomeReplacementCharacters() {
        var decoder = StreamingDecoder(tokenizer: ByteTokenizer())
        XCTAssertEqual(decoder.push(0xF0), "")
        XCTAssertEqual(decoder.push(0x41), "\u{FFFD}A")      // lead byte cut short
        XCTAssertEqual(decoder.push(0x80), "\u{FFFD}")        // stray continuation byte
        XCTAssertEqual(decoder.push(0xE2), "")
        XCTAssertEqual(decoder.push(0x82), "")
        XCTAssertEqual(decoder.finish(), "\u{FFFD}")          // unfinished at the end
    }

    func testConcatenationEqualsDecodeForEveryTokenizerKind() throws {
        let tiny = FixtureTokenizers.tinyLlama(), llama = FixtureTokenizers.llama3()
        let tokenizers: [any Tokenizer] = [
            ByteTokenizer(),
            try BPETokenizer(huggingFaceTokenizerJSON: tiny.tokenizer, config: tiny.config),
            try BPETokenizer(huggingFaceTokenizerJSON: llama.tokenizer, config: llama.config),
        ]
        var generator = SeededGenerator(seed: 11)
        for tokenizer in tokenizers {
            for _ in 0..<100 {
                let text = RandomText.string(using: &generator, maxLength: 40)
                let ids = tokenizer.encode(text, addBOS: true)
                for skip in [false, true] {
                    var decoder = StreamingDecoder(tokenizer: tokenizer, skipSpecialTokens: skip)
                    let streamed = ids.map { decoder.push($0) }.joined() + decoder.finish()
                    XCTAssertEqual(Array(streamed.utf8), Array(tokenizer.decode(ids, skipSpecialTokens: skip).utf8))
                }
            }
        }
    }
}
