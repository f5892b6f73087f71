import XCTest
import Tokenization

/// Built-in chat layouts, their recognition, and the training mask.
final class ChatTemplateTests: XCTestCase {
    static let smolLM2Template = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"

    let conversation = [ChatMessage(role: "system", content: "Be brief."),
                        ChatMessage(role: "user", content: "Hi"),
                        ChatMessage(role: "assistant", content: "Hello!"),
                        ChatMessage(role: "user", content: "Bye"),
                        ChatMessage(role: "assistant", content: "Bye!", weight: 0)]

    func testRecognisesSmolLM2AndItsDefaultSystemPrompt() throws {
        XCTAssertEqual(try ChatTemplate(detecting: Self.smolLM2Template),
                       .chatML(defaultSystemPrompt: "You are a helpful AI assistant named SmolLM, trained by Hugging Face"))
        // The same template with escaped newlines inside the Jinja string literal.
        let escaped = Self.smolLM2Template.replacingOccurrences(of: "\n", with: "\\n")
        XCTAssertEqual(try ChatTemplate(detecting: escaped),
                       .chatML(defaultSystemPrompt: "You are a helpful AI assistant named SmolLM, trained by Hugging Face"))
    }

    func testUnknownTemplateNamesTheBuiltIns() {
        XCTAssertThrowsError(try ChatTemplate(detecting: "{{ messages[0]['content'] }}[INST]")) { error in
            XCTAssertEqual(error as? TokenizationError, .unknownChatTemplate(builtIn: ["chatml", "llama3", "llama3.1", "zephyr"]))
            XCTAssertTrue("\(error)".contains("chatml, llama3, llama3.1, zephyr"))
        }
        XCTAssertThrowsError(try ChatTemplate(named: "mistral")) { error in
            XCTAssertTrue("\(error)".contains("unknown chat template 'mistral'"))
        }
        XCTAssertEqual(try ChatTemplate(named: "ChatML"), .chatML(defaultSystemPrompt: nil))
        XCTAssertEqual(try ChatTemplate(named: "zephyr").name, "zephyr")
    }

    func testChatMLText() throws {
        let template = ChatTemplate.chatML(defaultSystemPrompt: "Default.")
        XCTAssertEqual(try template.text(for: conversation, addGenerationPrompt: false),
                       "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\nBye!<|im_end|>\n")
        XCTAssertEqual(try template.text(for: [ChatMessage(role: "user", content: "Q")], addGenerationPrompt: true),
                       "<|im_start|>system\nDefault.<|im_end|>\n<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n")
        XCTAssertEqual(try template.text(for: [], addGenerationPrompt: false), "")
    }

    func testLlama3Text() throws {
        XCTAssertEqual(try ChatTemplate.llama3.text(for: Array(conversation.prefix(3)), addGenerationPrompt: false),
                       "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>")
        XCTAssertEqual(try ChatTemplate.llama3.text(for: [ChatMessage(role: "user", content: "  Q \n")], addGenerationPrompt: true),
                       "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nQ<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
    }

    func testLlama31TextAlwaysOpensWithTheDatedSystemTurn() throws {
        let source = "{{- bos_token }}{%- if not date_string is defined %}{%- set date_string = \"26 Jul 2024\" %}{%- endif %}{{- \"Cutting Knowledge Date: December 2023\\n\" }}<|start_header_id|><|eot_id|>"
        let template = try ChatTemplate(detecting: source)
        XCTAssertEqual(template, .llama31(todayDate: "26 Jul 2024"))
        XCTAssertEqual(template.name, "llama3.1")
        XCTAssertEqual(try template.text(for: [ChatMessage(role: "user", content: "Q")], addGenerationPrompt: true),
                       "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nQ<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
        let segments = try template.segments(for: [ChatMessage(role: "system", content: " S "), ChatMessage(role: "assistant", content: "A")])
        XCTAssertEqual(segments.map(\.text).joined(),
                       "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\nS<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nA<|eot_id|>")
        XCTAssertEqual(segments.filter(\.isTrainable).map(\.text), ["A", "<|eot_id|>"])
        XCTAssertEqual(segments[1].messageIndex, 0)
    }

    func testZephyrText() throws {
        XCTAssertEqual(try ChatTemplate.zephyr.text(for: Array(conversation.prefix(3)), addGenerationPrompt: true),
                       "<|system|>\nBe brief.</s>\n<|user|>\nHi</s>\n<|assistant|>\nHello!</s>\n<|assistant|>\n")
        XCTAssertThrowsError(try ChatTemplate.zephyr.text(for: [ChatMessage(role: "tool", content: "x")]))
    }

    func testMaskCoversAssistantContentAndEndOfTurnOnlyAndHonoursWeightZero() throws {
        let tokenizer = ByteTokenizer()
        let rendered = try ChatTemplate.chatML(defaultSystemPrompt: nil).render(conversation, tokenizer: tokenizer,
                                                                                 addGenerationPrompt: true)
        let trained = zip(rendered.ids, rendered.trainable).filter(\.1).map(\.0)
        XCTAssertEqual(tokenizer.decode(trained), "Hello!<|im_end|>")
        // Every token knows its message; the generation prompt belongs to none.
        XCTAssertEqual(Set(rendered.messageIndices.compactMap { $0 }), [0, 1, 2, 3, 4])
        XCTAssertEqual(rendered.messageIndices.last!, nil)
        XCTAssertEqual(rendered.roles.last!, "assistant")
        XCTAssertEqual(rendered.ids.count, rendered.trainable.count)
    }

    func testSegmentsKeepProvenance() throws {
        let segments = try ChatTemplate.llama3.segments(for: [ChatMessage(role: "assistant", content: "A")])
        XCTAssertEqual(segments.map(\.text), ["<|begin_of_text|>", "<|start_header_id|>assistant<|end_header_id|>\n\n", "A", "<|eot_id|>"])
        XCTAssertEqual(segments.map(\.isTrainable), [false, false, true, true])
        XCTAssertEqual(segments.map(\.messageIndex), [nil, 0, 0, 0])
    }
}
