import Foundation
import XCTest
import Tokenization
@testable import Datasets

/// Loss masks with the byte tokenizer (one token per byte, ChatML specials 256-258), batches,
/// packing, `data show`; and the SmolLM2 ChatML reference case when its tokenizer dump is given.
final class RenderingTests: XCTestCase {
    let tokenizer = ByteTokenizer()
    let imEnd = 258

    func example(_ line: String) throws -> Example { try DatasetLoader.parse(line).examples[0] }

    /// The trained tokens decoded.
    func trained(_ rendered: RenderedExample) -> [Int] { zip(rendered.ids, rendered.trainable).filter(\.1).map(\.0) }

    func testChatTrainsOnAssistantContentAndEndOfTurn() throws {
        let chat = try example(#"{"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}]}"#)
        let rendered = try ExampleRenderer(tokenizer: tokenizer).render(chat)
        XCTAssertEqual(tokenizer.decode(rendered.ids), "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nYo<|im_end|>\n")
        XCTAssertEqual(trained(rendered), Array("Yo".utf8).map(Int.init) + [imEnd])
        XCTAssertFalse(rendered.trainable.last!, "the newline after <|im_end|> is not a target")
        XCTAssertEqual(rendered.display(tokenizer: tokenizer).split(separator: "\n", maxSplits: 1)[1],
                       "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n⟦Yo<|im_end|>⟧\n")
        XCTAssertTrue(rendered.display(tokenizer: tokenizer, style: .ansi).contains("\u{1B}[32mYo<|im_end|>\u{1B}[0m"))
    }

    func testWeightZeroLastTurnAndAllTokens() throws {
        let chat = try example(#"{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "B", "weight": 0}, {"role": "user", "content": "c"}, {"role": "assistant", "content": "D"}]}"#)
        XCTAssertEqual(trained(try ExampleRenderer(tokenizer: tokenizer).render(chat)), [Int(UInt8(ascii: "D")), imEnd])
        let both = try example(#"{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "B"}, {"role": "user", "content": "c"}, {"role": "assistant", "content": "D"}]}"#)
        XCTAssertEqual(trained(try ExampleRenderer(tokenizer: tokenizer).render(both)), [66, imEnd, 68, imEnd])
        XCTAssertEqual(trained(try ExampleRenderer(tokenizer: tokenizer, options: RenderOptions(loss: .lastTurn)).render(both)), [68, imEnd])
        let all = try ExampleRenderer(tokenizer: tokenizer, options: RenderOptions(loss: .allTokens)).render(both)
        XCTAssertEqual(all.trainableCount, all.count)
        let silent = try example(#"{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "B", "weight": 0}]}"#)
        XCTAssertEqual(try ExampleRenderer(tokenizer: tokenizer).render(silent).trainableCount, 0)
    }

    func testInstructionCompletionAndText() throws {
        let instruction = try example(#"{"instruction": "Add", "input": "1 2", "output": "3"}"#)
        let viaTemplate = try ExampleRenderer(tokenizer: tokenizer).render(instruction)
        XCTAssertEqual(tokenizer.decode(viaTemplate.ids), "<|im_start|>user\nAdd\n\n1 2<|im_end|>\n<|im_start|>assistant\n3<|im_end|>\n")
        XCTAssertEqual(trained(viaTemplate), [51, imEnd])

        let plain = try ExampleRenderer(tokenizer: tokenizer, options: RenderOptions(instructionThroughTemplate: false)).render(instruction)
        XCTAssertEqual(tokenizer.decode(plain.ids), "### Instruction:\nAdd\n\n### Input:\n1 2\n\n### Response:\n3<|im_end|>")
        XCTAssertEqual(trained(plain), [51, imEnd])

        let completion = try ExampleRenderer(tokenizer: tokenizer).render(try example(#"{"prompt": "Review: ok\nSentiment:", "completion": " positive"}"#))
        XCTAssertEqual(tokenizer.decode(trained(completion)), " positive<|im_end|>")
        XCTAssertEqual(completion.count, "Review: ok\nSentiment: positive".utf8.count + 1)

        let text = try ExampleRenderer(tokenizer: tokenizer).render(try example(#"{"text": "<|im_end|> is data here"}"#))
        XCTAssertEqual(text.ids.first, Int(UInt8(ascii: "<")), "special-token spellings in plain data stay text")
        XCTAssertEqual(text.trainableCount, text.count)
    }

    func testTruncationCountsLostEndOfTurn() throws {
        let chat = try example(#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "A long answer"}]}"#)
        let full = try ExampleRenderer(tokenizer: tokenizer).render(chat)
        let cut = try ExampleRenderer(tokenizer: tokenizer, options: RenderOptions(sequenceLength: full.count - 3)).render(chat)
        XCTAssertTrue(cut.isTruncated)
        XCTAssertEqual(cut.fullLength, full.count)
        XCTAssertEqual(cut.turnsMissingEnd, 1)
        XCTAssertFalse(cut.ids.contains(imEnd) && cut.ids.lastIndex(of: imEnd)! > 20)
        let fits = try ExampleRenderer(tokenizer: tokenizer, options: RenderOptions(sequenceLength: full.count - 1)).render(chat)
        XCTAssertEqual(fits.turnsMissingEnd, 0, "only the final newline is cut")
        let promptOnly = try ExampleRenderer(tokenizer: tokenizer, options: RenderOptions(sequenceLength: 10)).render(chat)
        XCTAssertEqual(promptOnly.trainableCount, 0)
        XCTAssertEqual(promptOnly.turnsMissingEnd, 0)
    }

    func testConversationNeedsATemplate() throws {
        struct NoTemplate: Tokenizer {
            let base = ByteTokenizer()
            var vocabularySize: Int { base.vocabularySize }
            var specialTokens: SpecialTokenIDs { base.specialTokens }
            var chatTemplateSource: String? { nil }
            var addsBOSByDefault: Bool { true }
            var spacePrefix: SpacePrefix { .never }
            func encode(_ text: String, options: EncodingOptions) -> TokenEncoding { base.encode(text, options: options) }
            func token(for id: Int) -> String? { base.token(for: id) }
            func id(for token: String) -> Int? { base.id(for: token) }
            func kind(of id: Int) -> TokenKind { base.kind(of: id) }
            func bytes(of id: Int) -> [UInt8] { base.bytes(of: id) }
        }
        let renderer = ExampleRenderer(tokenizer: NoTemplate())
        XCTAssertNil(renderer.template)
        let chat = try example(#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}]}"#)
        XCTAssertThrowsError(try renderer.render(chat, file: "s.jsonl")) { error in
            XCTAssertEqual("\(error)", "s.jsonl:1: the tokenizer has no chat template to render conversations; choose one (chatml, llama3, zephyr)")
        }
        XCTAssertNoThrow(try ExampleRenderer(tokenizer: NoTemplate(), template: .chatML(defaultSystemPrompt: nil)).render(chat))
        // Without a template, instruction data uses the plain layout, with BOS when the tokenizer adds it.
        let plain = try renderer.render(try example(#"{"instruction": "Say", "output": "x"}"#))
        XCTAssertEqual(plain.ids.first, 257)
        XCTAssertFalse(plain.trainable[0])
    }

    func testBatchesBySimilarLength() throws {
        let lengths = [5, 40, 6, 41, 7, 42]
        let examples = lengths.enumerated().map { index, length in
            RenderedExample(line: index + 1, ids: Array(repeating: 65, count: length),
                            trainable: (0..<length).map { $0 >= length / 2 }, fullLength: length)
        }
        let batches = try BatchBuilder(batchSize: 3, sequenceLength: 64, seed: 3, padID: 256).batches(examples)
        XCTAssertEqual(batches.map(\.columns).sorted(), [7, 42])
        let short = batches.first { $0.columns == 7 }!
        XCTAssertEqual(short.lines.flatMap { $0 }.sorted(), [1, 3, 5])
        XCTAssertEqual(short.inputs[5], 256, "row of length 5 is padded")
        XCTAssertEqual(short.segments[5], -1)
        XCTAssertEqual(short.lines[0], [1], "rows sorted by length: the 5-token example first")
        XCTAssertEqual(short.targets[0], TokenBatch.ignored, "position 0 predicts token 1, not trainable")
        XCTAssertEqual(short.targets[1], 65, "position 1 predicts token 2, trainable")
        XCTAssertEqual(short.targets[4], TokenBatch.ignored, "the last token predicts nothing")
        XCTAssertEqual(try BatchBuilder(batchSize: 3, sequenceLength: 64, seed: 3).batches(examples).map(\.lines),
                       batches.map(\.lines), "seeded order")
    }

    func testPackingResetsPositionsAndSeparatesSegments() throws {
        let examples = [3, 4, 5].enumerated().map { index, length in
            RenderedExample(line: index + 1, ids: Array(repeating: 70 + index, count: length),
                            trainable: Array(repeating: true, count: length), fullLength: length)
        }
        let batches = try BatchBuilder(batchSize: 4, sequenceLength: 8, packing: true).batches(examples)
        XCTAssertEqual(batches.count, 1)
        let batch = batches[0]
        XCTAssertEqual(batch.rows, 2)
        XCTAssertEqual(batch.columns, 8)
        XCTAssertEqual(batch.lines, [[3, 1], [2]])
        XCTAssertEqual(Array(batch.positions[0..<8]), [0, 1, 2, 3, 4, 0, 1, 2])
        XCTAssertEqual(Array(batch.segments[0..<8]), [0, 0, 0, 0, 0, 1, 1, 1])
        XCTAssertEqual(batch.targets[4], TokenBatch.ignored, "the last token of a packed example does not predict the next example")
        XCTAssertEqual(batch.targets[3], 72)
        XCTAssertTrue(batch.attends(row: 0, query: 6, key: 5))
        XCTAssertFalse(batch.attends(row: 0, query: 6, key: 4), "block-diagonal: no attention across examples")
        XCTAssertFalse(batch.attends(row: 0, query: 5, key: 6), "causal")
        XCTAssertEqual(Array(batch.segments[8..<16]), [0, 0, 0, 0, -1, -1, -1, -1])
        XCTAssertEqual(batch.tokenCount, 12)
    }

    func testCheckUsesRendererForTokensAndSignal() throws {
        let dataset = try DatasetLoader.load(path: TestData.path("sentiment.jsonl"))
        let report = try DataChecker(goal: .task, renderer: ExampleRenderer(tokenizer: tokenizer, options: RenderOptions(sequenceLength: 64)))
            .check(dataset)
        XCTAssertEqual(report.lengths.unit, "tokens")
        XCTAssertEqual(report.lengths.sequenceLength, 64)
        XCTAssertGreaterThan(report.lengths.overLimit, 0)
        XCTAssertEqual(report.size.verdict, "below")
        XCTAssertEqual(report.section("size")?.summary, "60 examples, below 500-2,000 for task")
        let characters = try DataChecker().check(dataset)
        XCTAssertEqual(characters.lengths.unit, "characters")
        let counted = try DataChecker(tokenCounter: { $0.content.characterCount / 4 }).check(dataset)
        XCTAssertEqual(counted.lengths.unit, "tokens")
    }
}
