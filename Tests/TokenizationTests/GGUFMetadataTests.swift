import XCTest
import Tokenization

/// Building tokenizers from GGUF-style plain arrays.
final class GGUFMetadataTests: XCTestCase {
    func testSentencePieceMergesFromScores() throws {
        let tokenizer = try SmallTokenizers.sentencePieceFromScores()
        XCTAssertEqual(tokenizer.encode("the world").compactMap { tokenizer.token(for: $0) }, ["<s>", "▁the", "▁world"])
        XCTAssertEqual(tokenizer.encode("hello", addBOS: false).compactMap { tokenizer.token(for: $0) },
                       ["▁", "he", "llo"])
        XCTAssertEqual(tokenizer.encode("é", addBOS: false).compactMap { tokenizer.token(for: $0) },
                       ["▁", "<0xC3>", "<0xA9>"])
        XCTAssertEqual(tokenizer.decode(tokenizer.encode("é the")), "<s>é the")
        XCTAssertEqual(tokenizer.spacePrefix, .always)
        XCTAssertEqual(tokenizer.encode("</s>the", addBOS: false).compactMap { tokenizer.token(for: $0) }, ["</s>", "▁the"])
    }

    func testUnsupportedInputsAreErrors() {
        let bytes = ByteLevelAlphabet.scalars.map { String($0) }
        XCTAssertThrowsError(try BPETokenizer(gguf: GGUFTokenizerMetadata(model: "gpt2", pre: "tekken", tokens: bytes))) {
            XCTAssertTrue("\($0)".contains("'tekken'"), "\($0)")
        }
        XCTAssertThrowsError(try BPETokenizer(gguf: GGUFTokenizerMetadata(model: "bert", tokens: bytes)))
        XCTAssertThrowsError(try BPETokenizer(gguf: GGUFTokenizerMetadata(model: "llama", tokens: ["a"])))
        XCTAssertThrowsError(try BPETokenizer(vocabulary: bytes, merges: ["x y"]))
        XCTAssertThrowsError(try BPETokenizer(vocabulary: bytes, merges: [], tokenTypes: [1]))
        XCTAssertThrowsError(try BPETokenizer(vocabulary: bytes, merges: [], specialTokens: SpecialTokenIDs(bos: 999)))
    }

    func testMissingBytesAreDroppedNotReplaced() throws {
        var vocabulary = ByteLevelAlphabet.scalars.map { String($0) }
        vocabulary[4] = "<|endoftext|>"   // no token for byte 0x04, as in SmolLM2
        let tokenizer = try BPETokenizer(vocabulary: vocabulary, merges: [],
                                         tokenTypes: [Int](repeating: 1, count: 4) + [3] + [Int](repeating: 1, count: 251),
                                         specialTokens: SpecialTokenIDs(unknown: 4))
        XCTAssertEqual(tokenizer.unrepresentableBytes, [4])
        XCTAssertEqual(tokenizer.encode("a\u{4}b"), [97, 98])
    }

    func testByteLevelAlphabet() {
        XCTAssertEqual(ByteLevelAlphabet.encode(Array(" \n\tA".utf8)), "ĠĊĉA")
        XCTAssertEqual(ByteLevelAlphabet.decode("ĠĊĉA"), Array(" \n\tA".utf8))
        XCTAssertNil(ByteLevelAlphabet.decode("€"))
        XCTAssertEqual(Set(ByteLevelAlphabet.scalars).count, 256)
        XCTAssertEqual(ByteLevelAlphabet.scalars[0xAD], "\u{143}")
    }
}
