import Foundation
import TensorCore
import Tokenization
import XCTest
@testable import Models

/// `LlamaModel.decodeStep` (several sequences, one token each, one pass of the weights) against
/// each sequence decoded alone: the logits must be the same bits (every kernel computes a row
/// without looking at the others; reproducible numerics), and greedy batched decoding must give
/// `generate`'s tokens.
final class BatchedDecodeTests: XCTestCase {
    /// The tiny model with every projection (and the tied embedding) whose width is a multiple of
    /// 32 kept in `type`, the rest float32 (the per-row integer path of `QuantizedLinear`).
    static func quantizedTiny(seed: UInt64, type: GGMLType) throws -> LlamaModel {
        let dense = try LoadedModel.tiny(seed: seed).model
        var quantized: [String: QuantizedMatrix] = [:]
        for (name, shape) in dense.config.parameterShapes where shape.count == 2 && shape[1] % 32 == 0 {
            quantized[name] = try QuantizedMatrix(quantizing: dense.parameter(name).values, rows: shape[0], cols: shape[1], type: type)
        }
        let model = try LlamaModel(config: dense.config, quantizedWeights: quantized)
        for (name, _) in dense.config.parameterShapes where quantized[name] == nil { model.parameter(name).copy(from: dense.parameter(name)) }
        return model
    }

    /// Prompts of different lengths (so the rows sit at different positions).
    let prompts: [[Int]] = ["hello", "a much longer prompt, so its cache is ahead", "x", "batched decoding", "JSON {", "tea?"]
        .map { ByteTokenizer().encode($0) }

    /// Prefills each prompt twice (a cache for the batch, one for the lone reference), then steps
    /// `steps` times: the batch's logits must equal each row's lone `nextTokenLogits`, bit for bit.
    func assertBatchMatchesAlone(_ model: LlamaModel, prompts: [[Int]], steps: Int, layers: [[String: LinearLayer]]? = nil,
                                 file: StaticString = #filePath, line: UInt = #line) {
        let rowLayers = layers ?? prompts.map { _ in [:] }
        let batchCaches = prompts.map { KVCache(config: model.config, capacity: $0.count + steps + 1) }
        let aloneCaches = prompts.map { KVCache(config: model.config, capacity: $0.count + steps + 1) }
        /// Runs `body` with row `r`'s layers on the model (as the server's `select` puts an adapter on).
        func alone<T>(_ r: Int, _ body: () -> T) -> T {
            let saved = model.linears
            for (module, layer) in rowLayers[r] { model.linears[module] = layer }
            defer { model.linears = saved }
            return body()
        }
        var tokens = prompts.indices.map { r in
            alone(r) {
                let logits = model.nextTokenLogits(prompts[r].map(Int32.init), cache: batchCaches[r])
                _ = model.nextTokenLogits(prompts[r].map(Int32.init), cache: aloneCaches[r])
                return Sampler.argmax(logits)
            }
        }
        for step in 0..<steps {
            let batched = model.decodeStep(prompts.indices.map { DecodeRow(token: Int32(tokens[$0]), cache: batchCaches[$0], layers: rowLayers[$0]) })
            for r in prompts.indices {
                let lone = alone(r) { model.nextTokenLogits([Int32(tokens[r])], cache: aloneCaches[r]) }
                XCTAssertEqual(batched[r].map(\.bitPattern), lone.map(\.bitPattern),
                               "step \(step), row \(r) of \(prompts.count): batched logits differ from the row decoded alone", file: file, line: line)
                tokens[r] = Sampler.argmax(lone)
            }
        }
        XCTAssertEqual(batchCaches.map(\.length), aloneCaches.map(\.length), file: file, line: line)
    }

    func testBatchedLogitsAreTheBitsOfEachRowAlone() throws {
        let dense = try LoadedModel.tiny(seed: 7).model
        assertBatchMatchesAlone(dense, prompts: Array(prompts.prefix(4)), steps: 5)
        assertBatchMatchesAlone(dense, prompts: prompts, steps: 3)
        for type in [GGMLType.q4_1, .q8_0, .q4_0] {
            let model = try Self.quantizedTiny(seed: 7, type: type)
            // 4 rows: within QuantizedLinear.rowwiseLimit; 6: beyond it (the tape's independentRows
            // keeps the per-row path) and a tile of 4 plus one of 2 in the multi-row kernel.
            assertBatchMatchesAlone(model, prompts: Array(prompts.prefix(4)), steps: 5)
            assertBatchMatchesAlone(model, prompts: prompts, steps: 3)
            assertBatchMatchesAlone(model, prompts: Array(prompts.prefix(3)), steps: 2)
        }
    }

    /// Rows with different adapters (and none) share the base product; each adds its own
    /// `s · B(A x)`: the same bits as the adapter put on the model for that row alone.
    func testRowsWithDifferentAdaptersMatchEachAdapterAlone() throws {
        for model in [try LoadedModel.tiny(seed: 9).model, try Self.quantizedTiny(seed: 9, type: .q4_1)] {
            var rng = RandomGenerator(seed: 11, purpose: "test.lora")
            func adapter() -> [String: LinearLayer] {
                var layers: [String: LinearLayer] = [:]
                for i in 0..<model.config.layers {
                    for projection in ["q_proj", "v_proj", "down_proj"] {
                        let module = LlamaModel.moduleName(layer: i, projection: projection)
                        let base = model.linears[module]!
                        let a = Tensor(zeros: [4, base.inFeatures]), b = Tensor(zeros: [base.outFeatures, 4])
                        for j in 0..<a.count { a.pointer[j] = rng.uniform(-0.5, 0.5) }
                        for j in 0..<b.count { b.pointer[j] = rng.uniform(-0.5, 0.5) }
                        let lora = LoRALinear(base: base, a: a, b: b, scale: 2)
                        lora.isTraining = false
                        layers[module] = lora
                    }
                }
                return layers
            }
            let first = adapter(), second = adapter()
            assertBatchMatchesAlone(model, prompts: Array(prompts.prefix(5)), steps: 4, layers: [[:], first, second, first, [:]])
            assertBatchMatchesAlone(model, prompts: Array(prompts.prefix(2)), steps: 3, layers: [second, second])
        }
    }

    /// Greedy decoding of prompts batched — rows leaving as they reach their own `maxTokens`, like
    /// the server's batch — gives each prompt's `generate` tokens.
    func assertGreedyBatchMatchesGenerate(_ model: LlamaModel, prompts: [[Int]], maxTokens: [Int],
                                          file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try zip(prompts, maxTokens).map { try model.generate(prompt: $0, maxTokens: $1).tokens }
        let caches = zip(prompts, maxTokens).map { KVCache(config: model.config, capacity: $0.count + $1) }
        var produced = prompts.indices.map { r in [Sampler.argmax(model.nextTokenLogits(prompts[r].map(Int32.init), cache: caches[r]))] }
        var active = prompts.indices.filter { produced[$0].count < maxTokens[$0] }
        while !active.isEmpty {
            let logits = model.decodeStep(active.map { DecodeRow(token: Int32(produced[$0].last!), cache: caches[$0]) })
            for (r, row) in zip(active, logits) { produced[r].append(Sampler.argmax(row)) }
            active = active.filter { produced[$0].count < maxTokens[$0] }
        }
        XCTAssertEqual(produced, expected, file: file, line: line)
    }

    func testGreedyBatchedTokensEqualGenerateOnTheTinyModel() throws {
        for model in [try LoadedModel.tiny(seed: 5).model, try Self.quantizedTiny(seed: 5, type: .q4_1)] {
            try assertGreedyBatchMatchesGenerate(model, prompts: Array(prompts.prefix(4)), maxTokens: [12, 5, 20, 9])
        }
    }

    /// The cached SmolLM2 (Q4_1 GGUF, quantized head): bit-identical logits and `generate`'s greedy
    /// tokens for 4 chat prompts decoded together.
    func testSmolLM2BatchedDecodingMatchesAlone() throws {
        let loaded: LoadedModel
        if let shared = SmolLM2ReferenceTests.shared { loaded = shared } else {
            guard let url = ModelCache.default.cached(.smollm2) else {
                if ProcessInfo.processInfo.environment["ATTUNE_REQUIRE_FIXTURES"] == "1" { XCTFail("SmolLM2 is not in the cache; run Scripts/fetch-model") }
                throw XCTSkip("SmolLM2 not in the cache; run Scripts/fetch-model")
            }
            loaded = try LoadedModel.load(gguf: url)
            SmolLM2ReferenceTests.shared = loaded
        }
        let chats = ["What is the capital of France?", "Write a haiku about the sea.", "2 + 2 =", "List three colours."]
        let template = try XCTUnwrap(loaded.chatTemplate)
        let ids = try chats.map { try template.render([ChatMessage(role: "user", content: $0)], tokenizer: loaded.tokenizer, addGenerationPrompt: true).ids }
        assertBatchMatchesAlone(loaded.model, prompts: ids, steps: 4)
        try assertGreedyBatchMatchesGenerate(loaded.model, prompts: ids, maxTokens: [24, 8, 16, 24])
    }
}
