import Essentials
import Foundation
import Models
import TensorCore

/// Short, fixed training and generation runs whose exact bits are the fingerprint of the
/// reproducible numerics (DESIGN §5): the same on every CPU, vector path and core count. CI
/// compares them, bit for bit, with the committed values (`attune doctor --reproducibility`).
///
/// The model is the tiny Llama widened so that its GEMMs need more than one K block of 256
/// (width 288 with one 288-wide head, MLP 320, 260-token byte vocabulary, one sequence of 272
/// tokens): projections, output layer, attention's P·V and the weight gradients all cross a block
/// boundary (only the LoRA products, K = rank, cannot).
public enum ReproducibilityCheck {
    /// One run's fingerprint.
    public struct Run: Sendable, Codable, Equatable {
        public var name: String
        /// Bit patterns (hex) of the loss of each step (`Double(Float loss)`), or empty.
        public var losses: [String]
        /// FNV-1a 64 of the trainable parameters' bytes after the last step, or of nothing.
        public var parameterChecksum: String
        /// Generated token ids, or empty.
        public var tokens: [Int]

        enum CodingKeys: String, CodingKey {
            case name, losses, tokens
            case parameterChecksum = "parameter_checksum"
        }
    }

    /// The runs, in order: LoRA, full fine-tuning, QLoRA on an NF4 base, LoRA on a Q4_1 base
    /// (Q8_0 embeddings), 20 greedy tokens from that quantized model, LoRA on packed rows.
    public static let runNames = ["lora", "full", "qlora-nf4", "lora-q4_1", "greedy-q4_1", "lora-packed"]

    /// The tiny model's options for these runs.
    public static var options: TinyModelOptions {
        var o = TinyModelOptions()
        o.layers = 2
        o.dim = 288
        o.heads = 1
        o.kvHeads = 1
        o.mlp = 320
        o.context = 320
        return o
    }

    static let steps = 10
    static let sequence = 272
    static let seed: UInt64 = 7

    /// Runs every check (a few seconds on the vector paths, a minute or two on the portable one).
    public static func runAll() throws -> [Run] {
        try runNames.map(run)
    }

    /// Runs the check called `name` (one of `runNames`).
    public static func run(_ name: String) throws -> Run {
        switch name {
        case "lora": return try train(name, model: try tinyModel(), method: .lora)
        case "full": return try train(name, model: try tinyModel(), method: .full)
        case "qlora-nf4":
            let model = try tinyModel()
            QuantizedBase.quantizeToNF4(model, doubleQuant: true)
            return try train(name, model: model, method: .lora)
        case "lora-q4_1": return try train(name, model: try quantizedModel(), method: .lora)
        case "lora-packed": return try train(name, model: try tinyModel(), method: .lora, packed: true)
        case "greedy-q4_1":
            let model = try quantizedModel()
            var rng = RandomGenerator(seed: seed, purpose: "reproducibility.prompt")
            let prompt = (0..<24).map { _ in rng.nextInt(below: 256) }
            let result = try model.generate(prompt: prompt, maxTokens: 20)
            return Run(name: name, losses: [], parameterChecksum: checksum(UnsafeBufferPointer(start: nil, count: 0)), tokens: result.tokens)
        default:
            throw TrainingError.invalidConfiguration("no reproducibility check named \(name) (checks: \(runNames.joined(separator: ", ")))")
        }
    }

    enum Method { case lora, full }

    static func tinyModel() throws -> LlamaModel {
        try LoadedModel.tiny(options, seed: seed).model
    }

    /// The tiny model with its projections in Q4_1 and its (tied) embeddings in Q8_0, as SmolLM2's
    /// GGUF file keeps them. Weights are scaled to a standard deviation of 0.2 so that greedy
    /// decoding wanders over the vocabulary instead of repeating one token.
    static func quantizedModel() throws -> LlamaModel {
        let dense = try tinyModel()
        var quantized = [String: QuantizedMatrix]()
        for (name, shape) in dense.config.parameterShapes where shape.count == 2 {
            let type: GGMLType = name == "model.embed_tokens.weight" ? .q8_0 : .q4_1
            let values = dense.parameter(name).values.map { $0 * 10 }
            quantized[name] = try QuantizedMatrix(quantizing: values, rows: shape[0], cols: shape[1], type: type)
        }
        let model = try LlamaModel(config: dense.config, quantizedWeights: quantized)
        for tensor in model.parameters.tensors { tensor.fill(1) }  // what is left: the norms
        return model
    }

    static func train(_ name: String, model: LlamaModel, method: Method, packed: Bool = false) throws -> Run {
        var model = model
        let parameters: TrainableParameters
        let lr: Double
        switch method {
        case .lora:
            parameters = try LoRAApplier.apply(LoRAConfiguration(rank: 8, alpha: 16, dropout: 0.1, targets: .allLinear, seed: seed),
                                               to: model).parameters
            lr = 1e-2
        case .full:
            model = try model.densified()
            parameters = try FullFineTuning.apply(to: model)
            lr = 3e-3
        }
        var rng = RandomGenerator(seed: seed, purpose: "reproducibility.data")
        let batches = (0..<2).map { _ -> TrainingBatch in
            guard packed else {
                let tokens = (0..<sequence).map { _ in Int32(rng.nextInt(below: 256)) }
                return TrainingBatch(tokens: tokens, labels: tokens, batch: 1)
            }
            return packedBatch(&rng)
        }
        let trainer = Trainer(model: model, parameters: parameters, optimizer: AdamW(learningRate: lr),
                              schedule: LearningRateSchedule(kind: .cosine, baseLearningRate: lr, warmupSteps: 2, totalSteps: steps),
                              maxGradNorm: 1.0, accumulationSteps: 2)
        trainer.run(steps: steps, batches: batches)
        let values = UnsafeBufferPointer(start: parameters.values, count: parameters.count)
        return Run(name: name, losses: trainer.losses.map { String($0.bitPattern, radix: 16) },
                   parameterChecksum: checksum(values), tokens: [])
    }

    /// Two packed rows of `sequence` tokens: examples of 150 and 100 tokens then padding, and one
    /// of 265 (its attention crosses a K block) then padding. An example's first token has no
    /// label (nothing before it in its segment predicts it), nor has padding.
    static func packedBatch(_ rng: inout RandomGenerator) -> TrainingBatch {
        var tokens = [Int32](), labels = [Int32](), segments = [Int]()
        for lengths in [[150, 100], [265]] {
            for (segment, length) in lengths.enumerated() {
                let ids = (0..<length).map { _ in Int32(rng.nextInt(below: 256)) }
                tokens += ids
                labels += [-100] + Array(ids.dropFirst())
                segments += [Int](repeating: segment, count: length)
            }
            let padding = sequence - lengths.reduce(0, +)
            tokens += [Int32](repeating: 0, count: padding)
            labels += [Int32](repeating: -100, count: padding)
            segments += [Int](repeating: -1, count: padding)
        }
        return TrainingBatch(tokens: tokens, labels: labels, batch: 2, packing: PackedSequences(segmentIDs: segments, rows: 2))
    }

    /// FNV-1a 64 over the bytes of `values`, as 16 hex digits.
    static func checksum(_ values: UnsafeBufferPointer<Float>) -> String {
        var hasher = FNV1a()
        for value in values {
            var bits = value.bitPattern
            for _ in 0..<4 {
                hasher.combine(UInt8(bits & 0xff))
                bits >>= 8
            }
        }
        let text = String(hasher.value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
