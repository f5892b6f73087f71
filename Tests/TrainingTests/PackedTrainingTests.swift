import Datasets
import Models
import TensorCore
import XCTest
@testable import Training

/// `pack=true`: the batch builder's packed rows reach the model with their segments, and a
/// packed batch trains on exactly what the same examples in rows of their own train on (the same
/// target tokens, the same mean loss, the same gradients up to the order of the sums).
final class PackedTrainingTests: XCTestCase {
    /// Nine examples of 9…70 tokens whose first third is a prompt (not trained on).
    func examples() -> [RenderedExample] {
        var rng = RandomGenerator(seed: 21)
        return [12, 70, 33, 18, 51, 25, 40, 9, 60].enumerated().map { i, n in
            RenderedExample(line: i + 1, ids: (0..<n).map { _ in rng.nextInt(below: 256) },
                            trainable: (0..<n).map { $0 >= n / 3 }, fullLength: n)
        }
    }

    /// All nine examples in one micro-batch: packed into rows of 128 (3 rows) or one per row (9 rows of 70).
    func batch(packing: Bool) throws -> (TokenBatch, TrainingBatch) {
        let batches = try BatchBuilder(batchSize: 16, sequenceLength: 128, packing: packing, seed: 3).batches(examples())
        XCTAssertEqual(batches.count, 1)
        return (batches[0], TrainingBatch(batches[0]))
    }

    func loraModel() throws -> (LlamaModel, TrainableParameters) {
        let model = try LoadedModel.tiny(seed: 8).model
        let adapter = try LoRAApplier.apply(LoRAConfiguration(rank: 4, alpha: 8, dropout: 0, targets: .allLinear, seed: 2), to: model)
        for tensor in adapter.parameters.tensors where tensor.name.contains("lora_B") {
            for i in 0..<tensor.count { tensor.pointer[i] = Float(i % 5) * 0.02 - 0.04 }
        }
        return (model, adapter.parameters)
    }

    func lossAndGradients(_ model: LlamaModel, _ parameters: TrainableParameters, _ batch: TrainingBatch) -> (Float, [Float]) {
        parameters.zeroGradients()
        let tape = Tape()
        let (loss, _) = model.trainingLoss(tokens: batch.tokens, labels: batch.labels, batch: batch.batch, packing: batch.packing, tape: tape)
        tape.backward(from: loss)
        return (loss[flat: 0], Array(UnsafeBufferPointer(start: parameters.gradients.base, count: parameters.count)))
    }

    func largestDifference(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    func testTrainingBatchKeepsTheBuildersSegmentsAndPositions() throws {
        let (tokenBatch, packed) = try batch(packing: true)
        let packing = try XCTUnwrap(packed.packing)
        XCTAssertEqual(packed.batch, 3)
        XCTAssertEqual(packing.segments.count, 9)
        XCTAssertEqual(packing.segments.map(\.count).reduce(0, +), tokenBatch.tokenCount)
        for i in tokenBatch.segments.indices where tokenBatch.segments[i] >= 0 {
            XCTAssertEqual(packing.positions[i], tokenBatch.positions[i], "token \(i)")
        }
        for row in 0..<3 { for query in 0..<128 { for key in 0..<128 {
            XCTAssertEqual(packing.attends(row: row, query: query, key: key), tokenBatch.attends(row: row, query: query, key: key),
                           "row \(row), \(query) → \(key)")
        } } }
        let (_, unpacked) = try batch(packing: false)
        XCTAssertNil(unpacked.packing, "one example per row needs no segments")
        XCTAssertEqual(packed.labels.filter { $0 != -100 }.sorted(), unpacked.labels.filter { $0 != -100 }.sorted(),
                       "the same target tokens, none across an example boundary")
    }

    /// LoRA on every projection and full fine-tuning (trainable tied embeddings), with and without
    /// gradient checkpointing: the loss agrees to 1e-6 relative and every gradient to 2e-6 of the
    /// largest (measured: 1.6e-7 and 3.8e-7; only the order of the sums over rows differs).
    func testPackedBatchGivesTheLossAndGradientsOfTheUnpackedExamples() throws {
        let (_, packed) = try batch(packing: true)
        let (_, unpacked) = try batch(packing: false)
        let (lora, loraParameters) = try loraModel()
        let full = try LoadedModel.tiny(seed: 9).model
        let fullParameters = try FullFineTuning.apply(to: full)
        for (name, model, parameters) in [("lora", lora, loraParameters), ("full", full, fullParameters)] {
            for checkpointing in [false, true] {
                model.gradientCheckpointing = checkpointing
                let (packedLoss, packedGradients) = lossAndGradients(model, parameters, packed)
                let (loss, gradients) = lossAndGradients(model, parameters, unpacked)
                let label = "\(name), checkpointing \(checkpointing)"
                XCTAssertEqual(Double(packedLoss), Double(loss), accuracy: 1e-6 * Double(loss), label)
                let largest = gradients.map(abs).max() ?? 0
                XCTAssertGreaterThan(largest, 0, label)
                XCTAssertLessThanOrEqual(largestDifference(packedGradients, gradients), 2e-6 * largest, label)
            }
            model.gradientCheckpointing = false
        }
    }

    /// Three optimizer steps over the packed batch follow the steps over the unpacked one.
    func testTrainerOnPackedBatchesFollowsTheUnpackedRun() throws {
        func run(_ batch: TrainingBatch) throws -> [Double] {
            let (model, parameters) = try loraModel()
            let trainer = Trainer(model: model, parameters: parameters, optimizer: AdamW(learningRate: 1e-2),
                                  schedule: LearningRateSchedule(kind: .constant, baseLearningRate: 1e-2))
            trainer.run(steps: 3, batches: [batch])
            return trainer.losses
        }
        let packed = try run(try batch(packing: true).1), unpacked = try run(try batch(packing: false).1)
        XCTAssertEqual(packed.count, 3)
        for (a, b) in zip(packed, unpacked) { XCTAssertEqual(a, b, accuracy: 1e-5 * b) }
        XCTAssertLessThan(packed[2], packed[0], "it trains")
    }

    /// The export's perplexity check reads packed batches row by row with their segments.
    func testPerplexityOfPackedRowsIsThatOfTheExamples() throws {
        let (model, _) = try loraModel()
        let (_, packed) = try batch(packing: true)
        let (_, unpacked) = try batch(packing: false)
        let a = try XCTUnwrap(Perplexity.of(model, on: Perplexity.firstRows([packed], 3)))
        let b = try XCTUnwrap(Perplexity.of(model, on: [unpacked]))
        XCTAssertEqual(a.tokens, b.tokens)
        XCTAssertEqual(a.loss, b.loss, accuracy: 1e-6 * b.loss)
    }
}
