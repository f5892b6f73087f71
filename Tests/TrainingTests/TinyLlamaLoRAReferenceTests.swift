import Foundation
import ModelFormats
import Models
import TensorCore
import XCTest
@testable import Training

/// LoRA on the two-layer reference Llama reproduces PyTorch + PEFT: logits, loss, every LoRA
/// gradient, and three AdamW steps (losses and the adapter tensors after them).
final class TinyLlamaLoRAReferenceTests: XCTestCase {
    struct Fixture {
        let model: LlamaModel
        let adapter: LoRAAdapter
        let ids: [Int32]
        let labels: [Int32]
        let json: [String: Any]
    }

    func load() throws -> Fixture {
        let model = try LlamaModel.loadHuggingFace(folder: ReferenceFixtures.url("tiny-llama/model"))
        let adapter = try PEFTAdapter.load(folder: ReferenceFixtures.url("tiny-llama/adapter_initial"), into: model)
        let batch = try SafetensorsFile(url: ReferenceFixtures.url("tiny-llama/expected/full_forward_backward.safetensors"))
        return Fixture(model: model, adapter: adapter, ids: try batch.int32s("input_ids"), labels: try batch.int32s("labels"),
                       json: try ReferenceFixtures.json("tiny-llama/expected/expected.json"))
    }

    func testAdapterConfigurationAndCount() throws {
        let f = try load()
        let lora = f.json["lora"] as! [String: Any]
        XCTAssertEqual(f.adapter.configuration.rank, 4)
        XCTAssertEqual(f.adapter.configuration.alpha, 8)
        XCTAssertEqual(f.adapter.configuration.scale, 2)
        XCTAssertEqual(f.adapter.trainableParameterCount, lora["trainable_params"] as! Int)
        XCTAssertEqual(f.adapter.layers.map(\.module), ["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj",
                                                        "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj"])
        // The base is frozen: no parameter of the model requires or holds a gradient.
        XCTAssertTrue(f.model.parameters.tensors.allSatisfy { !$0.requiresGrad && $0.grad == nil })
    }

    func testLogitsLossAndEveryLoRAGradientMatchPEFT() throws {
        let f = try load()
        let expected = try SafetensorsFile(url: ReferenceFixtures.url("tiny-llama/expected/lora_forward_backward.safetensors"))
        let tape = Tape()
        let (loss, logits, _) = f.model.loss(tokens: f.ids, labels: f.labels, batch: 2, tape: tape)
        tape.backward(from: loss)

        let logitError = absoluteError(logits.values, try expected.floats("logits"))
        XCTAssertLessThanOrEqual(logitError, 1e-4)
        let refLoss = (f.json["lora"] as! [String: Any])["loss"] as! Double
        let lossError = abs(Double(loss[flat: 0]) - refLoss) / refLoss
        XCTAssertLessThanOrEqual(lossError, 1e-4)

        var worst: Float = 0
        for tensor in f.adapter.parameters.tensors {
            let refName = "grad." + tensor.name.replacingOccurrences(of: ".weight", with: ".default.weight")
            let error = relativeError(try XCTUnwrap(tensor.grad).values, try expected.floats(refName))
            XCTAssertLessThanOrEqual(error, 1e-3, tensor.name)
            worst = max(worst, error)
        }
        // No gradient reached the frozen base.
        XCTAssertTrue(f.model.parameters.tensors.allSatisfy { $0.grad == nil })
        print("tiny-llama LoRA: max logit error \(logitError), loss rel error \(lossError), worst LoRA grad rel error \(worst)")
    }

    func testThreeAdamWStepsMatchTorch() throws {
        let f = try load()
        let adamw = f.json["adamw"] as! [String: Any]
        let betas = adamw["betas"] as! [Double]
        let optimizer = AdamW(learningRate: adamw["lr"] as! Double, beta1: betas[0], beta2: betas[1],
                              epsilon: adamw["eps"] as! Double, weightDecay: adamw["weight_decay"] as! Double)
        let refLosses = adamw["losses_before_each_step_then_after"] as! [Double]
        var losses = [Double]()
        for step in 0...3 {
            f.adapter.parameters.zeroGradients()
            let tape = Tape()
            let (loss, _, _) = f.model.loss(tokens: f.ids, labels: f.labels, batch: 2, tape: tape)
            losses.append(Double(loss[flat: 0]))
            guard step < 3 else { break }
            tape.backward(from: loss)
            optimizer.step(f.adapter.parameters)
        }
        var worstLoss = 0.0
        for (ours, theirs) in zip(losses, refLosses) {
            let error = abs(ours - theirs) / abs(theirs)
            XCTAssertLessThanOrEqual(error, 1e-4, "losses \(losses) vs \(refLosses)")
            worstLoss = max(worstLoss, error)
        }
        let after = try SafetensorsFile(url: ReferenceFixtures.url("tiny-llama/adapter_after_3_adamw_steps/adapter_model.safetensors"))
        var worst: Float = 0
        for tensor in f.adapter.parameters.tensors {
            let error = relativeError(tensor.values, try after.floats(tensor.name))
            XCTAssertLessThanOrEqual(error, 1e-4, tensor.name)
            worst = max(worst, error)
        }
        XCTAssertEqual(optimizer.stepCount, 3)
        print("tiny-llama AdamW: losses \(losses), worst loss rel error \(worstLoss), worst adapter tensor rel error \(worst)")
    }

    func testMergedGivesLoRALogitsAndRevertedGivesBase() throws {
        let f = try load()
        let loraLogits = f.model.logits(tokens: f.ids, batch: 2, tape: Tape(recording: false)).values
        f.adapter.merge(into: f.model)
        XCTAssertTrue(f.model.linears.values.allSatisfy { $0 is DenseLinear })
        let mergedLogits = f.model.logits(tokens: f.ids, batch: 2, tape: Tape(recording: false)).values
        let mergeError = absoluteError(mergedLogits, loraLogits)
        XCTAssertLessThanOrEqual(mergeError, 1e-5)

        // Reverting restores the base exactly: same logits as a model never adapted.
        let base = try LlamaModel.loadHuggingFace(folder: ReferenceFixtures.url("tiny-llama/model"))
        let baseLogits = base.logits(tokens: f.ids, batch: 2, tape: Tape(recording: false)).values
        for (module, layer) in f.adapter.layers { f.model.linears[module] = layer.reverted() }
        let revertedLogits = f.model.logits(tokens: f.ids, batch: 2, tape: Tape(recording: false)).values
        XCTAssertEqual(revertedLogits, baseLogits)
        XCTAssertGreaterThan(absoluteError(baseLogits, loraLogits), 1e-4, "the adapter must change the logits for this test to mean anything")
        // The merge did not touch the base weights.
        for (module, layer) in f.adapter.layers {
            XCTAssertEqual((layer.base as! DenseLinear).weight.values, base.parameter(module + ".weight").values)
        }
        print("tiny-llama merge: max |merged − LoRA| logits \(mergeError)")
    }
}
