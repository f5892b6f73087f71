import Foundation
import XCTest
import Tokenization

/// `tokenizer.json` loading for Llama 3, Qwen2 and TinyLlama layouts, checked against the ids
/// Hugging Face `tokenizers` produces for the same files.
final class HuggingFaceFixtureTests: XCTestCase {
    private func load(_ files: (tokenizer: Data, config: Data)) throws -> BPETokenizer {
        try BPETokenizer(huggingFaceTokenizerJSON: files.tokenizer, config: files.config)
    }

    private func checkProbes(_ tokenizer: BPETokenizer, _ expected: [[Int]], _ withoutSpecials: [[Int]],
                             file: StaticString = #filePath, line: UInt = #line) {
        for (index, probe) in FixtureTokenizers.probes.enumerated() {
            XCTAssertEqual(tokenizer.encode(probe), expected[index], "probe \(index)", file: file, line: line)
            XCTAssertEqual(tokenizer.encode(probe, addBOS: false), withoutSpecials[index], "probe \(index) without BOS",
                           file: file, line: line)
        }
    }

    func testLlama3Layout() throws {
        let tokenizer = try load(FixtureTokenizers.llama3())
        XCTAssertEqual(tokenizer.preTokenizer, .llama3)
        XCTAssertEqual(tokenizer.variant, .byteLevel)
        XCTAssertTrue(tokenizer.ignoresMerges)
        XCTAssertTrue(tokenizer.addsBOSByDefault)
        XCTAssertEqual(tokenizer.specialTokens.bos.flatMap(tokenizer.token(for:)), "<|begin_of_text|>")
        checkProbes(tokenizer, FixtureExpectations.llama3Probes, FixtureExpectations.llama3ProbesWithoutSpecials)
    }

    func testQwen2Layout() throws {
        let tokenizer = try load(FixtureTokenizers.qwen2())
        XCTAssertEqual(tokenizer.preTokenizer, .qwen2)
        XCTAssertTrue(tokenizer.normalizesToNFC)
        XCTAssertFalse(tokenizer.addsBOSByDefault)
        checkProbes(tokenizer, FixtureExpectations.qwen2Probes, FixtureExpectations.qwen2ProbesWithoutSpecials)
    }

    func testTinyLlamaSentencePieceLayout() throws {
        let tokenizer = try load(FixtureTokenizers.tinyLlama())
        XCTAssertEqual(tokenizer.variant, .sentencePiece(spacePrefix: .always))
        XCTAssertTrue(tokenizer.addsBOSByDefault)
        XCTAssertEqual(tokenizer.specialTokens, SpecialTokenIDs(bos: 1, eos: 2, pad: nil, unknown: 0))
        checkProbes(tokenizer, FixtureExpectations.tinyLlamaProbes, FixtureExpectations.tinyLlamaProbesWithoutSpecials)
        // Byte fallback: 你 is not in the vocabulary, so it is spelled <0xE4><0xBD><0xA0>.
        let ids = tokenizer.encode("你", addBOS: false)
        XCTAssertEqual(ids.map { tokenizer.token(for: $0)! }, ["▁", "<0xE4>", "<0xBD>", "<0xA0>"])
        XCTAssertEqual(tokenizer.decode(ids), "你")
    }

    /// Metaspace with `prepend_scheme: first` (newer Llama-2-style files); expected pieces from
    /// Hugging Face `tokenizers` 0.23.3 on the TinyLlama fixture with this pre-tokenizer.
    func testMetaspacePrependSchemeFirst() throws {
        var object = try JSONSerialization.jsonObject(with: FixtureTokenizers.tinyLlama().tokenizer) as! [String: Any]
        object["normalizer"] = NSNull()
        object["pre_tokenizer"] = ["type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": false]
        let tokenizer = try BPETokenizer(huggingFaceTokenizerJSON: JSONSerialization.data(withJSONObject: object),
                                         config: FixtureTokenizers.tinyLlama().config)
        XCTAssertEqual(tokenizer.spacePrefix, .firstUnlessSpaced)
        func pieces(_ text: String, bos: Bool = false) -> [String] {
            tokenizer.encode(text, addBOS: bos).map { tokenizer.token(for: $0)! }
        }
        XCTAssertEqual(pieces("hello the</s>the world"), ["▁hello", "▁the", "</s>", "t", "h", "e", "▁world"])
        XCTAssertEqual(pieces("hello the</s>the world", bos: true), ["<s>", "▁hello", "▁the", "</s>", "t", "h", "e", "▁world"])
        XCTAssertEqual(pieces("</s>the"), ["</s>", "t", "h", "e"])
        XCTAssertEqual(pieces(" the"), ["▁the"])
        XCTAssertEqual(pieces("<s>the", bos: true), ["<s>", "<s>", "t", "h", "e"])
        XCTAssertEqual(tokenizer.decode(tokenizer.encode("hello the</s>the world", addBOS: false)), "hello the</s>the world")
        XCTAssertEqual(tokenizer.decode(tokenizer.encode(" the", addBOS: false)), "the")  // lossy, as in Hugging Face
    }

    func testDecodeIsTheExactInverseOfEncode() throws {
        for files in [FixtureTokenizers.llama3(), FixtureTokenizers.tinyLlama()] {
            let tokenizer = try load(files)
            for probe in FixtureTokenizers.probes {
                XCTAssertEqual(Array(tokenizer.decode(tokenizer.encode(probe, addBOS: false)).utf8), Array(probe.utf8))
            }
        }
        // Qwen2 normalizes to NFC first, so decoding gives the composed form.
        let qwen = try load(FixtureTokenizers.qwen2())
        for probe in FixtureTokenizers.probes {
            XCTAssertEqual(Array(qwen.decode(qwen.encode(probe)).utf8), Array(probe.precomposedStringWithCanonicalMapping.utf8))
        }
    }

    private let conversation = [ChatMessage(role: "user", content: "Hello world"),
                                ChatMessage(role: "assistant", content: "  it's the world! "),
                                ChatMessage(role: "user", content: "I hello")]

    /// Bytes of the trainable tokens, concatenated.
    private func trainedText(_ rendered: RenderedConversation, _ tokenizer: BPETokenizer) -> String {
        let bytes = zip(rendered.ids, rendered.trainable).filter(\.1).flatMap { tokenizer.bytes(of: $0.0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    func testLlama3ChatRendering() throws {
        let tokenizer = try load(FixtureTokenizers.llama3())
        let template = try ChatTemplate(detecting: tokenizer.chatTemplateSource!)
        XCTAssertEqual(template, .llama3)
        let rendered = try template.render(conversation, tokenizer: tokenizer, addGenerationPrompt: true)
        XCTAssertEqual(rendered.text, FixtureExpectations.llama3ChatText)
        XCTAssertEqual(rendered.ids, FixtureExpectations.llama3ChatIDs)
        XCTAssertEqual(trainedText(rendered, tokenizer), "it's the world!<|eot_id|>")
        XCTAssertEqual(rendered.roles.first!, nil)  // <|begin_of_text|>
    }

    func testQwen2ChatRenderingInsertsTheDefaultSystemPrompt() throws {
        let tokenizer = try load(FixtureTokenizers.qwen2())
        let template = try ChatTemplate(detecting: tokenizer.chatTemplateSource!)
        XCTAssertEqual(template, .chatML(defaultSystemPrompt: "You are a helpful assistant."))
        let rendered = try template.render(conversation, tokenizer: tokenizer, addGenerationPrompt: true)
        XCTAssertEqual(rendered.text, FixtureExpectations.qwen2ChatText)
        XCTAssertEqual(rendered.ids, FixtureExpectations.qwen2ChatIDs)
        XCTAssertEqual(trainedText(rendered, tokenizer), "  it's the world! <|im_end|>")
        XCTAssertEqual(rendered.messageIndices.first!, nil)
        XCTAssertEqual(rendered.roles.first!, "system")
    }

    func testTinyLlamaZephyrChatRendering() throws {
        let tokenizer = try load(FixtureTokenizers.tinyLlama())
        let template = try ChatTemplate(detecting: tokenizer.chatTemplateSource!)
        XCTAssertEqual(template, .zephyr)
        let rendered = try template.render(conversation, tokenizer: tokenizer, addGenerationPrompt: true)
        XCTAssertEqual(rendered.text, FixtureExpectations.tinyLlamaChatText)
        XCTAssertEqual(rendered.ids, FixtureExpectations.tinyLlamaChatIDs)
        XCTAssertEqual(trainedText(rendered, tokenizer), "  it's the world! </s>")
    }

    func testUnsupportedPreTokenizerIsAClearError() throws {
        var object = try JSONSerialization.jsonObject(with: FixtureTokenizers.llama3().tokenizer) as! [String: Any]
        object["pre_tokenizer"] = ["type": "Split", "pattern": ["Regex": "\\w+"], "behavior": "Isolated"]
        let data = try JSONSerialization.data(withJSONObject: object)
        XCTAssertThrowsError(try BPETokenizer(huggingFaceTokenizerJSON: data)) { error in
            XCTAssertTrue("\(error)".contains("unsupported pre-tokenizer Split"), "\(error)")
        }
        XCTAssertThrowsError(try BPETokenizer(huggingFaceTokenizerJSON: Data("[]".utf8)))
    }
}
