import Foundation
import TensorCore
import Tokenization
import XCTest
@testable import Models

/// `LlamaModel.decodeStepWithoutTape` (what `nextTokenLogits` runs for one token of a quantized
/// model) against the tape's path for the same token (`hiddenStates` + the output head): the same
/// bits at every step, on every kernel path; models it cannot run (float projections, an adapter)
/// are left to the tape.
final class DecodeStepTests: XCTestCase {
    override func tearDown() {
        Numerics.forceKernelPath(.best)
        super.tearDown()
    }

    /// The tiny model with an MLP width of 192, so every projection and the tied embedding is
    /// quantized to `type` (the default 176 leaves down_proj float: not a multiple of 32).
    static func fullyQuantizedTiny(seed: UInt64, type: GGMLType) throws -> LlamaModel {
        var options = TinyModelOptions()
        options.mlp = 192
        let dense = try LoadedModel.tiny(options, seed: seed).model
        var quantized: [String: QuantizedMatrix] = [:]
        for (name, shape) in dense.config.parameterShapes where shape.count == 2 {
            quantized[name] = try QuantizedMatrix(quantizing: dense.parameter(name).values, rows: shape[0], cols: shape[1], type: type)
        }
        let model = try LlamaModel(config: dense.config, quantizedWeights: quantized)
        for (name, _) in dense.config.parameterShapes where quantized[name] == nil { model.parameter(name).copy(from: dense.parameter(name)) }
        return model
    }

    /// The tape's logits for one token through `cache` (`nextTokenLogits` before the tape-free step).
    static func tapeLogits(_ model: LlamaModel, _ token: Int32, cache: KVCache) -> [Float] {
        let tape = Tape(recording: false)
        tape.integerPrefill = true
        let hidden = model.hiddenStates(tokens: [token], batch: 1, cache: cache, tape: tape)
        return model.outputHead.forward(hidden, tape: tape).values
    }

    /// Prefills `prompt` into two caches, then feeds the greedy tokens one at a time to both
    /// paths: logits bit for bit, the caches the same length.
    func assertSameBits(_ model: LlamaModel, prompt: [Int], steps: Int, file: StaticString = #filePath, line: UInt = #line) {
        let stepCache = KVCache(config: model.config, capacity: prompt.count + steps + 1)
        let tapeCache = KVCache(config: model.config, capacity: prompt.count + steps + 1)
        var token = Sampler.argmax(model.nextTokenLogits(prompt.map(Int32.init), cache: stepCache))
        _ = model.nextTokenLogits(prompt.map(Int32.init), cache: tapeCache)
        for step in 0..<steps {
            guard let fast = model.decodeStepWithoutTape(Int32(token), cache: stepCache) else {
                return XCTFail("step \(step): a quantized model must take the tape-free step", file: file, line: line)
            }
            let slow = Self.tapeLogits(model, Int32(token), cache: tapeCache)
            XCTAssertEqual(fast.count, model.config.vocabSize, file: file, line: line)
            XCTAssertEqual(fast.map(\.bitPattern), slow.map(\.bitPattern), "step \(step): the tape-free step's logits differ", file: file, line: line)
            XCTAssertEqual(stepCache.length, tapeCache.length, file: file, line: line)
            token = Sampler.argmax(slow)
        }
    }

    func testSameBitsAsTheTapeOnEveryKernelPath() throws {
        let prompt = ByteTokenizer().encode("the tape-free decoding step")
        for type in [GGMLType.q4_1, .q8_0, .q4_0] {
            let model = try Self.fullyQuantizedTiny(seed: 5, type: type)
            for path in Numerics.KernelPath.allCases where path <= .best {
                Numerics.forceKernelPath(path)
                assertSameBits(model, prompt: prompt, steps: 6)
            }
        }
    }

    /// Several sequences at their own positions in one step (serve's batch): each row the bits of
    /// the tape's path for that sequence alone, on every kernel path.
    func testBatchedRowsHaveEachSequencesTapeBits() throws {
        let prompts = ["a", "a longer prompt, further on", "batched rows", "x y z"].map { ByteTokenizer().encode($0) }
        for type in [GGMLType.q4_1, .q8_0] {
            let model = try Self.fullyQuantizedTiny(seed: 12, type: type)
            for path in Numerics.KernelPath.allCases where path <= .best {
                Numerics.forceKernelPath(path)
                let steps = 4
                let batchCaches = prompts.map { KVCache(config: model.config, capacity: $0.count + steps + 1) }
                let tapeCaches = prompts.map { KVCache(config: model.config, capacity: $0.count + steps + 1) }
                var tokens = prompts.indices.map { r in
                    _ = model.nextTokenLogits(prompts[r].map(Int32.init), cache: tapeCaches[r])
                    return Sampler.argmax(model.nextTokenLogits(prompts[r].map(Int32.init), cache: batchCaches[r]))
                }
                for step in 0..<steps {
                    let batched = try XCTUnwrap(model.decodeStepWithoutTape(prompts.indices.map { (Int32(tokens[$0]), batchCaches[$0]) }))
                    for r in prompts.indices {
                        let alone = Self.tapeLogits(model, Int32(tokens[r]), cache: tapeCaches[r])
                        XCTAssertEqual(batched[r].map(\.bitPattern), alone.map(\.bitPattern), "\(type) \(path.name) step \(step) row \(r)")
                        tokens[r] = Sampler.argmax(alone)
                    }
                }
                XCTAssertEqual(batchCaches.map(\.length), tapeCaches.map(\.length))
            }
        }
    }

    /// A float model takes the tape (nil), and `nextTokenLogits` still decodes it. A quantized
    /// model with adapters takes the tape-free step with the tape's bits (the update's kernels in
    /// the tape's order, on every kernel path, ranks either side of the fused accumulation's
    /// limit); an adapter that draws dropout masks, one on the output head, or several rows with
    /// an adapter go back to the tape, the cache untouched.
    func testModelsItCannotRunGoToTheTape() throws {
        let dense = try LoadedModel.tiny(seed: 3).model
        let cache = KVCache(config: dense.config, capacity: 8)
        _ = dense.nextTokenLogits([1, 2, 3], cache: cache)
        XCTAssertNil(dense.decodeStepWithoutTape(4, cache: cache))
        XCTAssertEqual(cache.length, 3, "a refused step must not touch the cache")

        // A quantized model decodes one token without the tape (its plan is made), then adapters
        // go on projections of every group: the plan must go with the old layers and carry them.
        let model = try Self.fullyQuantizedTiny(seed: 3, type: .q4_1)
        let warm = KVCache(config: model.config, capacity: 8)
        _ = model.nextTokenLogits([1, 2, 3], cache: warm)
        XCTAssertNotNil(model.decodeStepWithoutTape(4, cache: warm))
        var rng = RandomGenerator(seed: 4, purpose: "test.lora")
        let targets = [(0, "v_proj", 2), (0, "q_proj", 3), (1, "o_proj", 2), (1, "up_proj", 300), (0, "down_proj", 4)]
        var bases: [String: LinearLayer] = [:]
        for (layer, projection, rank) in targets {
            let module = LlamaModel.moduleName(layer: layer, projection: projection)
            bases[module] = model.linears[module]!
            let lora = LoRALinear(base: bases[module]!, rank: rank, alpha: 4, generator: &rng)
            for i in 0..<lora.b.count { lora.b.pointer[i] = rng.uniform(-0.5, 0.5) }  // a nonzero update, so a stale plan would show
            model.linears[module] = lora
        }
        for path in Numerics.KernelPath.allCases where path <= .best {
            Numerics.forceKernelPath(path)
            assertSameBits(model, prompt: [5, 6, 7], steps: 4)
        }
        Numerics.forceKernelPath(.best)

        let two = (0..<2).map { _ in KVCache(config: model.config, capacity: 8) }
        for c in two { _ = model.nextTokenLogits([1, 2, 3], cache: c) }
        XCTAssertNil(model.decodeStepWithoutTape([(4, two[0]), (5, two[1])]), "several rows with an adapter take the tape")
        XCTAssertEqual(two.map(\.length), [3, 3])

        let dropping = LoRALinear(base: model.linears[LlamaModel.moduleName(layer: 1, projection: "k_proj")]!, rank: 2, alpha: 4,
                                  dropout: 0.1, generator: &rng)
        model.linears[LlamaModel.moduleName(layer: 1, projection: "k_proj")] = dropping
        let dropCache = KVCache(config: model.config, capacity: 8)
        _ = model.nextTokenLogits([1, 2, 3], cache: dropCache)
        XCTAssertNil(model.decodeStepWithoutTape(4, cache: dropCache), "dropout masks are the tape's")
        XCTAssertEqual(dropCache.length, 3)
        dropping.isTraining = false
        XCTAssertNotNil(model.decodeStepWithoutTape(4, cache: dropCache), "no masks outside training")
        model.linears[LlamaModel.moduleName(layer: 1, projection: "k_proj")] = dropping.base

        let head = model.outputHead
        model.outputHead = LoRALinear(base: head, rank: 2, alpha: 4, generator: &rng)
        let headCache = KVCache(config: model.config, capacity: 8)
        _ = model.nextTokenLogits([1, 2, 3], cache: headCache)
        XCTAssertNil(model.decodeStepWithoutTape(4, cache: headCache), "an adapter on the head takes the tape")
        XCTAssertEqual(model.nextTokenLogits([4], cache: headCache).count, model.config.vocabSize)
        model.outputHead = head

        for (module, base) in bases { model.linears[module] = base }
        assertSameBits(model, prompt: [5, 6, 7], steps: 3)
    }

    /// Training hands the decoding copies back (`releaseGenerationCopies`); the plan that held
    /// them goes too, and the next token makes both again with the same bits.
    func testReleasedCopiesAreRemade() throws {
        let model = try Self.fullyQuantizedTiny(seed: 8, type: .q8_0)
        assertSameBits(model, prompt: [9, 10, 11], steps: 2)
        model.releaseGenerationCopies()
        XCTAssertNil(model.decodePlan.current)
        assertSameBits(model, prompt: [9, 10, 11], steps: 2)
    }

    /// A full cache is refused (nil) before anything is written.
    func testFullCacheIsRefused() throws {
        let model = try Self.fullyQuantizedTiny(seed: 6, type: .q8_0)
        let cache = KVCache(config: model.config, capacity: 3)
        _ = model.nextTokenLogits([1, 2, 3], cache: cache)
        XCTAssertNil(model.decodeStepWithoutTape(4, cache: cache))
        XCTAssertEqual(cache.length, 3)
    }

    /// SmolLM2 (when its file is here): 8 greedy steps after a chat prompt, the same bits.
    func testSmolLM2SameBitsAsTheTape() throws {
        let loaded = try SmolLM2ReferenceTests.loadedModel()
        let template = try XCTUnwrap(loaded.chatTemplate)
        let ids = try template.render([ChatMessage(role: "user", content: "What is the capital of France?")], tokenizer: loaded.tokenizer,
                                      addGenerationPrompt: true).ids
        assertSameBits(loaded.model, prompt: ids, steps: 8)
    }

    /// What the step tells idle pool threads to read ahead (`RowwiseProducts.hintPrefetch`): for
    /// each piece of the next products, the first bytes of the decoding copy its rows start in,
    /// at the group of four rows where the piece starts (q's copy for the first piece, …).
    func testReadAheadHintsPointAtEachPieceOfTheNextProducts() throws {
        try XCTSkipUnless(Int16DecodeRows.isUsed, "no decoding copies on this kernel path")
        let model = try Self.fullyQuantizedTiny(seed: 9, type: .q4_1)
        let plan = QuantizedDecodePlan(model)
        let block = try XCTUnwrap(plan.blocks?.first)
        for (name, products) in [("qkv", block.qkv), ("gate/up", block.gateUp), ("down", block.down)] {
            let run = try XCTUnwrap(products.runs.first), copies = try XCTUnwrap(run.decodeRows)
            let groups = run.offsets.last! / 4, pieces = Parallelism.chunkCount(groups, minChunk: 8)
            products.hintPrefetch(bytes: 1000)
            for chunk in 0..<pieces {
                let row = Parallelism.chunkRange(chunk, of: pieces, count: groups).lowerBound * 4
                var layer = 0
                while row >= run.offsets[layer + 1] { layer += 1 }
                let copy = copies[layer], group = (row - run.offsets[layer]) / 4
                let expected = copy.bytes(ofGroups: 0..<copy.groups).baseAddress! + group * 4 * run.weights[layer].rowByteCount
                let hint = Parallelism.readAheadHint(chunk: chunk)
                XCTAssertEqual(hint.baseAddress, UnsafeRawPointer(expected), "\(name), piece \(chunk) (row \(row), layer \(layer))")
                XCTAssertEqual(hint.count, min(1000, (copy.groups - group) * 4 * run.weights[layer].rowByteCount), "\(name), piece \(chunk)")
            }
        }
    }

    /// Serve's lone row with its adapter (`DecodeRow.layers`, the model itself left as the base)
    /// takes the tape-free step through a plan for those layers: the bits of the tape with the
    /// adapter on the model, step after step, the model's own projections untouched, the plan
    /// made once.
    func testALoneRowWithItsAdapterTakesTheTapeFreeStep() throws {
        let model = try Self.fullyQuantizedTiny(seed: 21, type: .q4_1)
        var rng = RandomGenerator(seed: 22, purpose: "test.lora")
        var layers: [String: LinearLayer] = [:]
        for (layer, projection) in [(0, "q_proj"), (1, "v_proj"), (1, "gate_proj"), (0, "down_proj")] {
            let module = LlamaModel.moduleName(layer: layer, projection: projection)
            let lora = LoRALinear(base: model.linears[module]!, rank: 4, alpha: 8, generator: &rng)
            for i in 0..<lora.b.count { lora.b.pointer[i] = rng.uniform(-0.5, 0.5) }
            layers[module] = lora
        }
        let own = model.linears
        let prompt: [Int32] = [3, 1, 4, 1, 5]
        let rowCache = KVCache(config: model.config, capacity: 16), tapeCache = KVCache(config: model.config, capacity: 16)
        for (module, layer) in layers { model.linears[module] = layer }
        var token = Int32(Sampler.argmax(model.nextTokenLogits(prompt, cache: rowCache)))
        _ = model.nextTokenLogits(prompt, cache: tapeCache)
        for step in 0..<5 {
            for (module, layer) in own { model.linears[module] = layer }
            let row = model.decodeStep([DecodeRow(token: token, cache: rowCache, layers: layers)])[0]
            XCTAssertTrue(model.linears.allSatisfy { own[$0.key] === $0.value }, "the step must leave the model's layers alone")
            for (module, layer) in layers { model.linears[module] = layer }
            let tape = Self.tapeLogits(model, token, cache: tapeCache)
            XCTAssertEqual(row.map(\.bitPattern), tape.map(\.bitPattern), "step \(step)")
            token = Int32(Sampler.argmax(tape))
        }
        for (module, layer) in own { model.linears[module] = layer }
        let first = model.adapterDecodePlans.plan(model, layers: layers)
        XCTAssertTrue(first === model.adapterDecodePlans.plan(model, layers: layers), "one plan per adapter, kept")
        XCTAssertEqual(first.adapters.count, layers.count)
    }
}
