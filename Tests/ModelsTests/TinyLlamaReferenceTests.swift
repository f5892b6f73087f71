import Foundation
import ModelFormats
import TensorCore
import XCTest
@testable import Models

/// The engine computes what PyTorch computes: the two-layer reference Llama, loaded through the
/// Hugging Face folder path, reproduces PyTorch's logits, loss and every parameter gradient.
final class TinyLlamaReferenceTests: XCTestCase {
    func loadAll() throws -> (LlamaModel, SafetensorsFile, [String: Any]) {
        let model = try LlamaModel.loadHuggingFace(folder: ReferenceFixtures.url("tiny-llama/model"))
        let expected = try SafetensorsFile(url: ReferenceFixtures.url("tiny-llama/expected/full_forward_backward.safetensors"))
        let json = try ReferenceFixtures.json("tiny-llama/expected/expected.json")
        return (model, expected, json)
    }

    func testConfigurationReadsRopeThetaFromRopeParameters() throws {
        let model = try loadAll().0
        XCTAssertEqual(model.config.ropeTheta, 10_000)
        XCTAssertEqual(model.config.headDim, 16)
        XCTAssertEqual(model.config.kvHeads, 2)
        XCTAssertFalse(model.config.tieWordEmbeddings)
        XCTAssertEqual(model.config.rmsNormEps, 1e-5)
        // Older checkpoints keep rope_theta at the top level.
        let old = #"{"vocab_size": 10, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2, "rope_theta": 500000.0}"#
        let config = try JSONDecoder().decode(LlamaConfiguration.self, from: Data(old.utf8))
        XCTAssertEqual(config.ropeTheta, 500_000)
        XCTAssertEqual(config.kvHeads, 2)
    }

    func testLogitsLossAndEveryGradientMatchPyTorch() throws {
        let (model, expected, json) = try loadAll()
        let ids = try expected.int32s("input_ids"), labels = try expected.int32s("labels")
        let batch = try expected.entry("input_ids").shape[0]
        model.parameters.makeTrainable()
        let tape = Tape()
        let (loss, logits, _) = model.loss(tokens: ids, labels: labels, batch: batch, tape: tape)
        tape.backward(from: loss)

        // Logits within 1e-4 absolute.
        let refLogits = try expected.floats("logits")
        let logitError = zip(logits.values, refLogits).map { abs($0 - $1) }.max()!
        XCTAssertLessThanOrEqual(logitError, 1e-4, "max |logit − PyTorch|")
        print("tiny-llama: max logit error \(logitError), loss \(loss[flat: 0]) vs \(json["loss"]!)")

        // Loss within 1e-4 relative.
        let refLoss = json["loss"] as! Double
        XCTAssertEqual(Double(loss[flat: 0]), refLoss, accuracy: 1e-4 * refLoss)

        // Every parameter gradient within 1e-3 relative: max |ours − theirs| / max |theirs|.
        var checked = 0, worst: Float = 0
        for parameter in model.parameters.tensors {
            let ref = try expected.floats("grad." + parameter.name)
            let ours = try XCTUnwrap(parameter.grad, "no gradient for \(parameter.name)").values
            let scale = ref.map { abs($0) }.max()!
            let error = zip(ours, ref).map { abs($0 - $1) }.max()! / max(scale, 1e-30)
            XCTAssertLessThanOrEqual(error, 1e-3, parameter.name)
            worst = max(worst, error)
            checked += 1
        }
        print("tiny-llama: worst relative gradient error \(worst) over \(checked) tensors")
        XCTAssertEqual(checked, model.parameters.tensors.count)
        XCTAssertEqual(checked, 2 * 9 + 3, "embed, 9 per layer, final norm, lm_head")
    }

    func testSameSeedGivesBitIdenticalLossAndGradients() throws {
        // Determinism: two identical runs (fresh models, same inputs) agree bit for bit.
        func run() throws -> (Float, [Float]) {
            let (model, expected, _) = try loadAll()
            model.parameters.makeTrainable()
            let tape = Tape()
            let (loss, _, _) = model.loss(tokens: try expected.int32s("input_ids"), labels: try expected.int32s("labels"), batch: 2, tape: tape)
            tape.backward(from: loss)
            return (loss[flat: 0], model.parameters.tensors.flatMap { $0.grad!.values })
        }
        let a = try run(), b = try run()
        XCTAssertEqual(a.0.bitPattern, b.0.bitPattern)
        XCTAssertTrue(a.1.elementsEqual(b.1) { $0.bitPattern == $1.bitPattern })
    }

    func testMissingOrMisshapenTensorsAreReportedByName() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attune-bad-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: try ReferenceFixtures.url("tiny-llama/model/config.json"), to: dir.appendingPathComponent("config.json"))
        try SafetensorsWriter.write([.init(name: "model.embed_tokens.weight", shape: [2, 2], values: [1, 2, 3, 4])],
                                    to: dir.appendingPathComponent("model.safetensors"))
        XCTAssertThrowsError(try LlamaModel.loadHuggingFace(folder: dir)) { error in
            XCTAssertTrue("\(error)".contains("model.embed_tokens.weight"), "\(error)")
            XCTAssertTrue("\(error)".contains("[256, 64]"), "\(error)")
        }
        XCTAssertThrowsError(try LlamaModel.loadHuggingFace(folder: dir.appendingPathComponent("nope"))) { error in
            XCTAssertTrue("\(error)".contains("config.json"), "\(error)")
        }
    }
}

final class HuggingFaceShardTests: XCTestCase {
    /// A checkpoint split into two shards with `model.safetensors.index.json` loads to the same model.
    func testShardedCheckpointLoadsIdentically() throws {
        let source = try ReferenceFixtures.url("tiny-llama/model")
        let whole = try SafetensorsFile(url: source.appendingPathComponent("model.safetensors"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attune-shards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: source.appendingPathComponent("config.json"), to: dir.appendingPathComponent("config.json"))
        var map = [String: String]()
        var shards: [[SafetensorsWriter.Item]] = [[], []]
        for (i, entry) in whole.entries.enumerated() {
            let shard = i % 2
            shards[shard].append(.init(name: entry.name, dtype: entry.dtype, shape: entry.shape, bytes: try whole.bytes(entry.name)))
            map[entry.name] = "model-0000\(shard + 1)-of-00002.safetensors"
        }
        for (i, items) in shards.enumerated() {
            try SafetensorsWriter.write(items, to: dir.appendingPathComponent("model-0000\(i + 1)-of-00002.safetensors"))
        }
        let index = try JSONSerialization.data(withJSONObject: ["metadata": [:], "weight_map": map])
        try index.write(to: dir.appendingPathComponent("model.safetensors.index.json"))
        let a = try LlamaModel.loadHuggingFace(folder: source), b = try LlamaModel.loadHuggingFace(folder: dir)
        let ids: [Int32] = [1, 5, 9, 200, 3]
        XCTAssertEqual(a.logits(tokens: ids, batch: 1, tape: Tape(recording: false)).values,
                       b.logits(tokens: ids, batch: 1, tape: Tape(recording: false)).values)
        // A tokenizer is required for text use: the fixture has none, and the message says so.
        XCTAssertThrowsError(try LoadedModel.load(huggingFace: source)) { XCTAssertTrue("\($0)".contains("tokenizer.json"), "\($0)") }
    }
}
