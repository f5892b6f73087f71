import Foundation
import TensorCore
import Tokenization
import XCTest
@testable import Models

final class GenerationTests: XCTestCase {
    func testTinyModelIsSeededAndHasTheDocumentedShape() throws {
        let a = try LoadedModel.tiny(seed: 1), b = try LoadedModel.tiny(seed: 1), c = try LoadedModel.tiny(seed: 2)
        XCTAssertEqual(a.model.config.vocabSize, 259)
        XCTAssertEqual(a.model.config.layers, 2)
        XCTAssertEqual(a.model.config.kvHeads, 2)
        XCTAssertEqual(a.model.config.intermediateSize, 176)
        XCTAssertEqual(a.model.config.maxPositionEmbeddings, 256)
        let wa = a.model.parameter("model.layers.0.self_attn.q_proj.weight").values
        XCTAssertEqual(wa, b.model.parameter("model.layers.0.self_attn.q_proj.weight").values)
        XCTAssertNotEqual(wa, c.model.parameter("model.layers.0.self_attn.q_proj.weight").values)
        let std = (wa.reduce(0) { $0 + Double($1 * $1) } / Double(wa.count)).squareRoot()
        XCTAssertEqual(std, 0.02, accuracy: 0.002)
        XCTAssertEqual(a.model.parameter("model.norm.weight").values, [Float](repeating: 1, count: 64))
        var bad = TinyModelOptions(); bad.heads = 3
        XCTAssertThrowsError(try LoadedModel.tiny(bad, seed: 1)) { XCTAssertTrue("\($0)".contains("multiple of heads"), "\($0)") }
    }

    func testSamplingIsSeededAndRespectsTopKAndTopP() {
        let logits: [Float] = [0, 3, 1, 2.9, -5]
        var greedy = Sampler(options: SamplingOptions())
        XCTAssertEqual(greedy.next(logits: logits, context: []), 1)
        func draws(_ options: SamplingOptions) -> [Int] {
            var s = Sampler(options: options)
            return (0..<200).map { _ in s.next(logits: logits, context: []) }
        }
        let warm = SamplingOptions(temperature: 1, seed: 5)
        XCTAssertEqual(draws(warm), draws(warm), "same seed, same tokens")
        XCTAssertNotEqual(draws(warm), draws(SamplingOptions(temperature: 1, seed: 6)))
        XCTAssertEqual(Set(draws(SamplingOptions(temperature: 1, topK: 2, seed: 5))), [1, 3])
        // p(1) ≈ 0.478, p(3) ≈ 0.433: top-p 0.4 keeps token 1 alone, 0.5 needs both.
        XCTAssertEqual(Set(draws(SamplingOptions(temperature: 1, topP: 0.4, seed: 5))), [1])
        XCTAssertEqual(Set(draws(SamplingOptions(temperature: 1, topP: 0.5, seed: 5))), [1, 3])
    }

    func testRepetitionPenaltyAndValidation() {
        var s = Sampler(options: SamplingOptions(repetitionPenalty: 2))
        XCTAssertEqual(s.next(logits: [0, 3, 2], context: [1]), 2, "3/2 = 1.5 < 2")
        XCTAssertThrowsError(try SamplingOptions(temperature: -1).validate())
        XCTAssertThrowsError(try SamplingOptions(topP: 0).validate())
    }

    func testKVCacheGenerationMatchesRecomputingOnTheTinyModel() throws {
        let tiny = try LoadedModel.tiny(seed: 3)
        let prompt = tiny.tokenizer.encode("hello")
        let result = try tiny.model.generate(prompt: prompt, maxTokens: 6)
        // Recompute each step with a full forward pass and greedy argmax.
        var context = prompt
        for token in result.tokens {
            let logits = tiny.model.logits(tokens: context.map(Int32.init), batch: 1, tape: Tape(recording: false)).values
            XCTAssertEqual(Sampler.argmax(Array(logits.suffix(259))), token)
            context.append(token)
        }
        XCTAssertThrowsError(try tiny.model.generate(prompt: [999], maxTokens: 1)) { XCTAssertTrue("\($0)".contains("999")) }
        XCTAssertThrowsError(try tiny.model.generate(prompt: [], maxTokens: 1))
    }
}

final class ModelSummaryTests: XCTestCase {
    func testTinySummaryNamesSizesStorageAndTokenizer() throws {
        let summary = ModelSummary(try LoadedModel.tiny(seed: 1))
        XCTAssertEqual(summary.parameters, 259 * 64 + 2 * (2 * 64 + 64 * 64 * 2 + 2 * 32 * 64 + 3 * 176 * 64) + 64)
        XCTAssertEqual(summary.storage, ["F32": 2 * 9 + 2])
        XCTAssertEqual(summary.weightBytes, summary.parameters * 4)
        XCTAssertEqual(summary.chatTemplate, "chatml")
        XCTAssertTrue(summary.tokenizer.hasPrefix("byte-level, 256 bytes"), summary.tokenizer)
        XCTAssertTrue(summary.text.contains("2 layers · width 64"), summary.text)
        XCTAssertTrue(summary.text.contains("4 heads (2 kv, head dim 16)"), summary.text)
        // 109,056 float32 weights: 436,224 bytes, in binary units as everywhere.
        XCTAssertTrue(summary.text.contains("weights 426.0 KiB in memory (32.0 bits/weight)"), summary.text)
    }
}

final class ConfigurationFamilyTests: XCTestCase {
    func testQwen2ConfigurationImpliesAttentionBias() throws {
        let qwen = #"{"model_type": "qwen2", "vocab_size": 10, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1}"#
        let config = try JSONDecoder().decode(LlamaConfiguration.self, from: Data(qwen.utf8))
        XCTAssertTrue(config.attentionBias)
        XCTAssertTrue(config.parameterShapes.contains { $0.name == "model.layers.0.self_attn.q_proj.bias" })
        let llama = #"{"model_type": "llama", "vocab_size": 10, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2}"#
        XCTAssertFalse(try JSONDecoder().decode(LlamaConfiguration.self, from: Data(llama.utf8)).attentionBias)
    }
}
