import Models
import TensorCore
import XCTest
@testable import Training

/// The two memory savers compute exactly what the plain path computes: gradient checkpointing
/// (blocks recomputed in backward, LoRA dropout masks replayed) and the chunked output
/// projection + cross-entropy (`trainingLoss`), for a frozen head (LoRA) and a trainable tied
/// head (full fine-tuning).
final class MemorySavingTrainingTests: XCTestCase {
    func batch(seed: UInt64, rows: Int = 3, length: Int = 20) -> (tokens: [Int32], labels: [Int32]) {
        var rng = RandomGenerator(seed: seed)
        let tokens = (0..<(rows * length)).map { _ in Int32(rng.nextInt(below: 256)) }
        var labels = tokens
        for i in stride(from: 0, to: labels.count, by: 7) { labels[i] = CrossEntropyKernel.ignoreIndex }
        return (tokens, labels)
    }

    /// Loss and every trainable gradient of one backward pass (seed 0.5, as accumulation uses).
    func lossAndGradients(_ model: LlamaModel, _ parameters: TrainableParameters, chunked: Bool) -> (Float, [Float]) {
        let (tokens, labels) = batch(seed: 9)
        parameters.zeroGradients()
        let tape = Tape()
        let loss = chunked ? model.trainingLoss(tokens: tokens, labels: labels, batch: 3, tape: tape).loss
                           : model.loss(tokens: tokens, labels: labels, batch: 3, tape: tape).loss
        let value = loss[flat: 0]
        tape.backward(from: loss, seed: 0.5)
        return (value, Array(UnsafeBufferPointer(start: parameters.gradients.base, count: parameters.count)))
    }

    func loraModel(dropout: Double) throws -> (LlamaModel, TrainableParameters) {
        let model = try LoadedModel.tiny(seed: 3).model
        let adapter = try LoRAApplier.apply(LoRAConfiguration(rank: 4, alpha: 8, dropout: dropout, targets: .allLinear, seed: 5), to: model)
        // B starts at zero; give it values so every gradient path is exercised.
        for tensor in adapter.parameters.tensors where tensor.name.contains("lora_B") {
            for i in 0..<tensor.count { tensor.pointer[i] = Float(i % 7) * 0.01 - 0.03 }
        }
        return (model, adapter.parameters)
    }

    func testChunkedLossMatchesMaterializedLogitsForLoRA() throws {
        let (model, parameters) = try loraModel(dropout: 0)
        let (plainLoss, plainGrads) = lossAndGradients(model, parameters, chunked: false)
        for rows in [1, 7, 60, 1000] {
            model.lossChunkRows = rows
            let (loss, grads) = lossAndGradients(model, parameters, chunked: true)
            XCTAssertEqual(loss, plainLoss, accuracy: 1e-5, "chunk rows \(rows)")
            XCTAssertLessThan(maxDifference(grads, plainGrads), 1e-6 * max(1, plainGrads.map(abs).max()!), "chunk rows \(rows)")
        }
        XCTAssertTrue(plainGrads.contains { $0 != 0 })
    }

    func testChunkedLossMatchesForTrainableTiedHead() throws {
        let model = try LoadedModel.tiny(seed: 4).model
        let parameters = try FullFineTuning.apply(to: model)
        let (plainLoss, plainGrads) = lossAndGradients(model, parameters, chunked: false)
        model.lossChunkRows = 8
        let (loss, grads) = lossAndGradients(model, parameters, chunked: true)
        XCTAssertEqual(loss, plainLoss, accuracy: 1e-5)
        XCTAssertLessThan(maxDifference(grads, plainGrads), 1e-6 * plainGrads.map(abs).max()!)
    }

    func testGradientCheckpointingReproducesGradientsWithDropout() throws {
        let (plainModel, plainParameters) = try loraModel(dropout: 0.1)
        let (plainLoss, plainGrads) = lossAndGradients(plainModel, plainParameters, chunked: true)
        let (model, parameters) = try loraModel(dropout: 0.1)
        model.gradientCheckpointing = true
        let (loss, grads) = lossAndGradients(model, parameters, chunked: true)
        XCTAssertEqual(loss, plainLoss)
        XCTAssertEqual(grads, plainGrads, "recomputed blocks must replay the same dropout masks")
        // The generators end where the plain run left them, so the next step draws the same masks.
        let (nextPlain, _) = lossAndGradients(plainModel, plainParameters, chunked: true)
        let (next, _) = lossAndGradients(model, parameters, chunked: true)
        XCTAssertEqual(next, nextPlain)
    }

    func testGradientCheckpointingForFullFineTuning() throws {
        let plain = try LoadedModel.tiny(seed: 6).model
        let plainParameters = try FullFineTuning.apply(to: plain)
        let (plainLoss, plainGrads) = lossAndGradients(plain, plainParameters, chunked: true)
        let model = try LoadedModel.tiny(seed: 6).model
        let parameters = try FullFineTuning.apply(to: model)
        model.gradientCheckpointing = true
        let (loss, grads) = lossAndGradients(model, parameters, chunked: true)
        XCTAssertEqual(loss, plainLoss)
        XCTAssertEqual(grads, plainGrads)
    }

    func testBackwardReleasesActivationGradients() throws {
        let (model, parameters) = try loraModel(dropout: 0)
        let (tokens, labels) = batch(seed: 2)
        parameters.zeroGradients()
        let tape = Tape()
        let hidden = model.hiddenStates(tokens: tokens, batch: 3, tape: tape)
        let (loss, _) = tape.crossEntropy(model.outputHead.forward(hidden, tape: tape), targets: LlamaModel.shiftedTargets(labels: labels, batch: 3))
        tape.backward(from: loss)
        XCTAssertEqual(tape.count, 0, "backward consumes the tape")
        XCTAssertNil(hidden.grad, "an activation's gradient is released once its step has run")
        XCTAssertTrue(parameters.tensors.contains { $0.grad?.values.contains { $0 != 0 } ?? false }, "parameters keep theirs")
    }

    func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }
}
