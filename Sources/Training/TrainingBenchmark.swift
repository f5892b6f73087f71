import Datasets
import Foundation
import Models
import TensorCore

/// Training throughput as DESIGN §7 measures it: full-length B×T sequences (no padding), one
/// step = forward + backward + optimizer, median of the timed steps after warm-up, peak resident
/// memory (VmHWM — run one configuration per process for an honest peak).
public enum TrainingBenchmark {
    public enum Configuration: String, CaseIterable, Sendable {
        case loraQV = "lora-qv", loraAll = "lora-all", qlora, full

        public var description: String {
            switch self {
            case .loraQV: "LoRA r=16 on q,v"
            case .loraAll: "LoRA r=16 on all linear"
            case .qlora: "QLoRA r=16 on q,v (NF4 base, double quant)"
            case .full: "full fine-tuning"
            }
        }
    }

    public struct Result: Sendable, Codable {
        public var configuration: String
        public var batch: Int, sequence: Int
        public var stepSeconds: [Double]
        public var tokensPerSecond: Double
        public var peakResidentMiB: Double
        /// The most bytes live tensors held at once over the run (`TensorMemory`: float32
        /// weights, activations, gradients, optimizer moments, scratch).
        public var peakTensorBytes: Int
        public var trainableParameters: Int
        public var losses: [Double]
        /// Per-step means over the timed steps.
        public var phases: PhaseTimings
    }

    /// Full-length rows from a dataset file: every example rendered through the model's chat
    /// template, the ids concatenated in file order and cut into `batch × sequence` micro-batches
    /// (no padding, every position counted), as the PyTorch anchors measure.
    public static func packedBatches(dataset path: String, loaded: LoadedModel, batch: Int = 4, sequence: Int = 256) throws -> [TrainingBatch] {
        let dataset = try DatasetLoader.load(path: path)
        let renderer = ExampleRenderer(tokenizer: loaded.tokenizer, template: loaded.chatTemplate,
                                       options: RenderOptions(loss: .allTokens))
        var stream = [Int32]()
        for example in dataset.examples { stream += try renderer.render(example, file: path).ids.map(Int32.init) }
        let rowTokens = batch * sequence
        let batches = stride(from: 0, to: stream.count - rowTokens + 1, by: rowTokens).map { start -> TrainingBatch in
            let tokens = Array(stream[start..<(start + rowTokens)])
            return TrainingBatch(tokens: tokens, labels: tokens, batch: batch)
        }
        guard !batches.isEmpty else {
            throw TrainingError.invalidConfiguration("\(path) renders to \(stream.count) tokens, fewer than one \(batch) × \(sequence) batch")
        }
        return batches
    }

    /// Runs `warmup` + `steps` optimizer steps of `configuration` on `loaded`, over `data` (taken
    /// in order, wrapping) or random token batches of `batch × sequence`.
    public static func run(_ configuration: Configuration, loaded: LoadedModel, batch: Int = 4, sequence: Int = 256,
                           warmup: Int = 1, steps: Int = 5, seed: UInt64 = 1,
                           gradientCheckpointing: Bool = false, data: [TrainingBatch]? = nil,
                           onStep: (Int, Double, Double) -> Void = { _, _, _ in }) throws -> Result {
        var model = loaded.model
        let parameters: TrainableParameters
        let lr: Double
        switch configuration {
        case .loraQV, .loraAll, .qlora:
            if configuration == .qlora { QuantizedBase.quantizeToNF4(model, doubleQuant: true) }
            let targets: LoRATargets = configuration == .loraAll ? .allLinear : .modules(["q_proj", "v_proj"])
            parameters = try LoRAApplier.apply(LoRAConfiguration(rank: 16, alpha: 32, dropout: 0, targets: targets, seed: seed), to: model).parameters
            lr = 2e-4
        case .full:
            model = try model.densified()
            parameters = try FullFineTuning.apply(to: model)
            lr = 2e-5
        }
        model.gradientCheckpointing = gradientCheckpointing
        var rng = RandomGenerator(seed: seed, purpose: "benchmark.data")
        let vocab = model.config.vocabSize
        let tokens = (0..<(batch * sequence)).map { _ in Int32(rng.nextInt(below: vocab)) }
        let data = data ?? [TrainingBatch(tokens: tokens, labels: tokens, batch: batch)]
        let trainer = Trainer(model: model, parameters: parameters, optimizer: AdamW(learningRate: lr),
                              schedule: LearningRateSchedule(kind: .constant, baseLearningRate: lr, warmupSteps: 0, totalSteps: warmup + steps))
        var times = [Double]()
        TensorMemory.resetPeak()
        for i in 0..<(warmup + steps) {
            if i == warmup { trainer.phaseTimings = PhaseTimings() }
            let start = Date()
            trainer.run(steps: 1, batches: data)
            let seconds = Date().timeIntervalSince(start)
            if i >= warmup { times.append(seconds) }
            onStep(i, trainer.losses.last ?? .nan, seconds)
        }
        let median = times.sorted()[times.count / 2]
        return Result(configuration: configuration.rawValue, batch: batch, sequence: sequence, stepSeconds: times,
                      tokensPerSecond: Double(batch * sequence) / median,
                      peakResidentMiB: Double(ProcessMemory.peakResidentBytes ?? 0) / 1_048_576,
                      peakTensorBytes: TensorMemory.peakBytes,
                      trainableParameters: parameters.count, losses: trainer.losses,
                      phases: trainer.phaseTimings.divided(by: steps))
    }
}
