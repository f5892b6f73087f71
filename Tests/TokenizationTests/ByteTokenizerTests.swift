import XCTest
import Tokenization

/// The toy model's byte vocabulary with ChatML specials.
final class ByteTokenizerTests: XCTestCase {
    let tokenizer = ByteTokenizer()

    func testVocabulary() {
        XCTAssertEqual(tokenizer.vocabularySize, 259)
        XCTAssertEqual(tokenizer.specialTokens, SpecialTokenIDs(bos: 257, eos: 258, pad: 256))
        XCTAssertEqual(tokenizer.token(for: 257), "<|im_start|>")
        XCTAssertEqual(tokenizer.id(for: "<|im_end|>"), 258)
        XCTAssertEqual(tokenizer.token(for: 32), "Ġ")
        XCTAssertEqual(tokenizer.id(for: "Ġ"), 32)
        XCTAssertNil(tokenizer.token(for: 259))
        XCTAssertEqual(tokenizer.kind(of: 65), .byte)
    }

    func testEncodesBytesAndSpecials() {
        XCTAssertEqual(tokenizer.encode("<|im_start|>hé<|im_end|>"), [257, 104, 0xC3, 0xA9, 258])
        XCTAssertEqual(tokenizer.encode("<|im_end|>", parseSpecialTokens: false).count, 10)
        XCTAssertEqual(tokenizer.encode("x", addBOS: true), [257, 120])
    }

    func testChatMLRenderingAndMask() throws {
        let template = try ChatTemplate(detecting: tokenizer.chatTemplateSource!)
        XCTAssertEqual(template, .chatML(defaultSystemPrompt: nil))
        let rendered = try template.render([ChatMessage(role: "user", content: "hi"),
                                            ChatMessage(role: "assistant", content: "ok")], tokenizer: tokenizer)
        XCTAssertEqual(rendered.text, "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nok<|im_end|>\n")
        XCTAssertEqual(zip(rendered.ids, rendered.trainable).filter(\.1).map(\.0), [111, 107, 258])
        XCTAssertEqual(rendered.messageIndices.last!, 1)
    }
}
