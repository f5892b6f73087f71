import Foundation
import XCTest
import Tokenization

/// The real SmolLM2-135M-Instruct tokenizer, from a JSON dump of its GGUF metadata named by
/// `ATTUNE_TOKENIZER_DUMP` (keys as in the GGUF: `tokenizer.ggml.tokens`, …). Skipped when unset.
///
/// Expected ids come from `../shared/reference/smollm2-135m-instruct.json` (PyTorch/transformers).
final class SmolLM2DumpTests: XCTestCase {
    /// The dump's tokenizer, built once per test process.
    static func loadDump() throws -> BPETokenizer {
        try cached.get()
    }

    private static let cached = Result { try buildFromDump() }

    static func buildFromDump() throws -> BPETokenizer {
        guard let path = ProcessInfo.processInfo.environment["ATTUNE_TOKENIZER_DUMP"] else {
            throw XCTSkip("set ATTUNE_TOKENIZER_DUMP to a JSON dump of the SmolLM2 GGUF tokenizer metadata")
        }
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        let metadata = GGUFTokenizerMetadata(
            model: object["tokenizer.ggml.model"] as! String,
            pre: object["tokenizer.ggml.pre"] as? String,
            tokens: object["tokenizer.ggml.tokens"] as! [String],
            tokenTypes: object["tokenizer.ggml.token_type"] as? [Int],
            merges: object["tokenizer.ggml.merges"] as? [String] ?? [],
            bosID: object["tokenizer.ggml.bos_token_id"] as? Int,
            eosID: object["tokenizer.ggml.eos_token_id"] as? Int,
            padID: object["tokenizer.ggml.padding_token_id"] as? Int,
            unknownID: object["tokenizer.ggml.unknown_token_id"] as? Int,
            addBOS: object["tokenizer.ggml.add_bos_token"] as? Bool,
            addSpacePrefix: object["tokenizer.ggml.add_space_prefix"] as? Bool,
            chatTemplate: object["tokenizer.chat_template"] as? String)
        return try BPETokenizer(gguf: metadata)
    }

    /// `../shared/reference/smollm2-135m-instruct.json` beside the repository.
    static func reference() throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/reference/smollm2-135m-instruct.json")
        guard let data = try? Data(contentsOf: url) else { throw XCTSkip("no reference file at \(url.path)") }
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    func testReferenceCases() throws {
        let tokenizer = try Self.loadDump()
        let reference = try Self.reference()
        let cases = (reference["tokenizer"] as! [String: Any])["cases"] as! [String: [String: Any]]
        XCTAssertEqual(cases.count, 3)
        for (name, item) in cases {
            let text = item["text"] as! String
            let ids = tokenizer.encode(text)
            XCTAssertEqual(ids, item["ids"] as! [Int], name)
            XCTAssertEqual(ids.map { tokenizer.token(for: $0)! }, item["tokens"] as! [String], name)
            XCTAssertEqual(Array(tokenizer.decode(ids).utf8), Array(text.utf8), name)
        }
        XCTAssertEqual("\(tokenizer)", "byte-level BPE, pre-tokenizer smollm, 49152 tokens, 48900 merges, 17 control tokens")
        let logits = reference["logits"] as! [String: Any]
        XCTAssertEqual(tokenizer.encode(logits["prompt"] as! String), logits["ids"] as! [Int])
    }

    func testGreedyPromptRendering() throws {
        let tokenizer = try Self.loadDump()
        let greedy = try Self.reference()["greedy"] as! [String: Any]
        let messages = (greedy["messages"] as! [[String: String]]).map { ChatMessage(role: $0["role"]!, content: $0["content"]!) }
        let template = try ChatTemplate(detecting: tokenizer.chatTemplateSource!)
        let rendered = try template.render(messages, tokenizer: tokenizer, addGenerationPrompt: true)
        XCTAssertEqual(rendered.text, greedy["prompt_text"] as! String)
        XCTAssertEqual(rendered.ids, greedy["prompt_ids"] as! [Int])
        XCTAssertEqual(tokenizer.decode(greedy["new_ids"] as! [Int], skipSpecialTokens: true), greedy["text_skip_special"] as! String)
    }

    func testChatMLCaseMaskCoversAssistantContentAndEndOfTurn() throws {
        let tokenizer = try Self.loadDump()
        let chatml = ((try Self.reference()["tokenizer"] as! [String: Any])["cases"] as! [String: [String: Any]])["chatml"]!
        let messages = [ChatMessage(role: "system", content: "You are a concise assistant."),
                        ChatMessage(role: "user", content: "Hi! What's 2+2?"),
                        ChatMessage(role: "assistant", content: "2+2 = 4.")]
        let rendered = try ChatTemplate(detecting: tokenizer.chatTemplateSource!).render(messages, tokenizer: tokenizer)
        XCTAssertEqual(rendered.ids, chatml["ids"] as! [Int])
        let trained = zip(rendered.ids, rendered.trainable).filter(\.1).map { tokenizer.token(for: $0.0)! }
        XCTAssertEqual(trained, ["2", "+", "2", "\u{120}=", "\u{120}", "4", ".", "<|im_end|>"])
    }

    func testRoundTripOnRandomText() throws {
        let tokenizer = try Self.loadDump()
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<500 {
            let text = RandomText.string(using: &generator, maxLength: 60)
            let ids = tokenizer.encode(text, parseSpecialTokens: false)
            XCTAssertEqual(Array(tokenizer.decode(ids).utf8), Array(text.utf8), text.debugDescription)
        }
    }

    /// 300 seeded random strings (specials, partial markers, digits, emoji, byte 0x04 which the
    /// vocabulary lacks) against Hugging Face `tokenizers`; see Fixtures/README.md.
    func testRandomStringsMatchHuggingFaceTokenizers() throws {
        let tokenizer = try Self.loadDump()
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/smollm2-random-ids.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        for (text, ids) in zip(object["texts"] as! [String], object["ids"] as! [[Int]]) {
            XCTAssertEqual(tokenizer.encode(text), ids, text.debugDescription)
        }
    }
}
