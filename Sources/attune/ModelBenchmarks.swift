import ArgumentParser
import Evaluation
import Foundation
import Models
import TensorCore
import Training

extension TrainingBenchmark.Configuration: ExpressibleByArgument {}

/// `attune bench train CONFIG [--steps N] [--warmup N] [--batch B] [--seq T] [--data FILE] [--checkpointing] [--json FILE]`.
struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "SmolLM2 training speed and peak memory for one configuration (one per process).")

    @Argument(help: ArgumentHelp("The configuration.", valueName: TrainingBenchmark.Configuration.allCases.map(\.rawValue).joined(separator: "|")))
    var configuration: TrainingBenchmark.Configuration

    @Option(help: ArgumentHelp("Timed steps.", valueName: "n"))
    var steps = 5

    @Option(help: ArgumentHelp("Untimed steps first.", valueName: "n"))
    var warmup = 1

    @Option(help: ArgumentHelp("Sequences per step.", valueName: "b"))
    var batch = 4

    @Option(help: ArgumentHelp("Tokens per sequence.", valueName: "t"))
    var seq = 256

    @Option(help: ArgumentHelp("Train on this JSONL data instead of random tokens.", valueName: "file"), completion: .file(extensions: ["jsonl"]))
    var data: String?

    @Flag(help: "Gradient checkpointing.")
    var checkpointing = false

    @Option(help: ArgumentHelp("Also write the measurement as JSON to this file.", valueName: "file"), completion: .file(extensions: ["json"]))
    var json: String?

    func validate() throws {
        guard steps > 0 else { throw ValidationError("--steps needs a positive count") }
        guard warmup >= 0 else { throw ValidationError("--warmup needs a count") }
        guard batch > 0, seq > 1 else { throw ValidationError("--batch needs at least 1 sequence and --seq at least 2 tokens") }
        guard seq <= 8192 else { throw ValidationError("--seq \(seq) is longer than SmolLM2's 8192-token context") }
    }

    func run() throws {
        try exitIfFailed(ModelBenchmarks.train(configuration, steps: steps, warmup: warmup, batch: batch, sequence: seq,
                                               checkpointing: checkpointing, dataPath: data, jsonPath: json))
    }
}

/// `attune bench inference [--prompt N] [--decode N] [--repeats N] [--json FILE]`.
struct BenchInference: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inference", abstract: "SmolLM2 prefill and decode speed.")

    @Option(help: ArgumentHelp("Prompt tokens.", valueName: "n"))
    var prompt = 256

    @Option(help: ArgumentHelp("Decoded tokens (0: prefill alone).", valueName: "n"))
    var decode = 32

    @Option(help: ArgumentHelp("Measurements.", valueName: "n"))
    var repeats = 3

    @Option(help: ArgumentHelp("Also write the measurement as JSON to this file.", valueName: "file"), completion: .file(extensions: ["json"]))
    var json: String?

    func validate() throws {
        guard prompt >= 1 else { throw ValidationError("--prompt needs a positive token count") }
        guard decode >= 0 else { throw ValidationError("--decode needs a token count") }
        guard repeats >= 1 else { throw ValidationError("--repeats needs a positive count") }
    }

    func run() throws {
        try exitIfFailed(ModelBenchmarks.inference(promptTokens: prompt, decodeTokens: decode, repeats: repeats, jsonPath: json))
    }
}

/// `attune bench train CONFIG` and `attune bench inference`: one SmolLM2 measurement per process
/// (so the peak resident memory is that configuration's own), printed as a Markdown row and
/// written as JSON. `Scripts/bench` runs each in turn and assembles the tables.
enum ModelBenchmarks {
    static func train(_ configuration: TrainingBenchmark.Configuration, steps: Int, warmup: Int, batch: Int = 4, sequence: Int = 256,
                      checkpointing: Bool, dataPath: String?, jsonPath: String?) -> Int32 {
        do {
            let loaded = try loadSmolLM2()
            let data = try dataPath.map { try TrainingBenchmark.packedBatches(dataset: $0, loaded: loaded, batch: batch, sequence: sequence) }
            let label = configuration.description + (checkpointing ? ", gradient checkpointing" : "")
            print("bench train \(configuration.rawValue): \(label), batch \(batch) × \(sequence), \(warmup) warm-up + \(steps) timed steps"
                  + (dataPath.map { " on \($0) (\(data!.count) full-length batches)" } ?? " on random tokens")
                  + ", \(Numerics.mode.rawValue) numerics" + (Numerics.mode == .bf16 ? " (bf16 path \(Numerics.bf16Path.name))" : ""))
            // The sgemm that "share of sgemm" divides by is measured between the timed steps (a
            // few calls after each, outside the step's clock), so it sees the same minutes of a
            // shared machine as the steps do; one short burst after the run swung ±10%.
            var sgemmSamples = [Double]()
            let result = try TrainingBenchmark.run(configuration, loaded: loaded, batch: batch, sequence: sequence, warmup: warmup, steps: steps,
                                                   gradientCheckpointing: checkpointing, data: data) { step, loss, seconds in
                print(String(format: "  step %2d  loss %.4f  %.2f s", step + 1, loss, seconds))
                if step >= warmup { sgemmSamples += sgemmProbe(batch: batch, sequence: sequence).samples }
            }
            print("  per step: " + result.phases.named.map { String(format: "%@ %.2f s on %.1f cores", $0.name, $0.phase.wallSeconds, $0.phase.cores) }
                .joined(separator: " · "))
            let median = result.stepSeconds.sorted()[result.stepSeconds.count / 2]
            let estimate = Estimator.estimate(.smolLM2_135M, setup(configuration, batch: batch, sequence: sequence, checkpointing: checkpointing,
                                                                   baseWeightBytes: configuration == .full || loaded.model.quantizedWeights.isEmpty ? nil : Double(loaded.model.weightBytes)))
            let gflops = estimate.flopsPerStep / median / 1e9
            let memory = estimate.memory
            print(String(format: "  tensor memory: peak %.0f MiB measured (the engine's account) · estimate %.0f MiB (weights %.0f, gradients %.0f, optimizer %.0f, activations %.0f, workspace %.0f)",
                         Double(result.peakTensorBytes) / 1_048_576, memory.total / 1_048_576, memory.weights / 1_048_576,
                         memory.gradients / 1_048_576, memory.optimizer / 1_048_576, memory.activations / 1_048_576, memory.workspace / 1_048_576))
            if sgemmSamples.isEmpty { sgemmSamples = sgemmProbe(batch: batch, sequence: sequence).samples }
            let sgemm = sgemmSamples.sorted()[sgemmSamples.count / 2]
            print(String(format: "  step time: %.2f s measured (median) · estimate %.2f s (%.0f GFLOP, %.0f of them attention; sgemm %.0f GFLOP/s now)",
                         median, Estimator.timeSeconds(estimate, sgemmGFLOPs: sgemm), estimate.flopsPerStep / 1e9,
                         estimate.attentionFlopsPerStep / 1e9, sgemm))
            let losses = result.losses
            var line = String(format: "| %@ | %.0f | %.2f | %.0f | %.0f MiB |", label, result.tokensPerSecond, median, gflops, result.peakResidentMiB)
            if losses.count >= 10 {
                let first = losses.prefix(5).reduce(0, +) / 5, last = losses.suffix(5).reduce(0, +) / 5
                line += String(format: " %.3f → %.3f |", first, last)
            }
            print(line)
            if let jsonPath {
                try writeJSON(Measured(result: result, gflops: gflops, checkpointing: checkpointing, batch: batch, sequence: sequence,
                                       sgemmGFLOPs: sgemm, estimatedStepSeconds: Estimator.timeSeconds(estimate, sgemmGFLOPs: sgemm),
                                       medianStepSeconds: median, estimatedMiB: memory.total / 1_048_576,
                                       peakTensorMiB: Double(result.peakTensorBytes) / 1_048_576,
                                       frozenBlockMiB: configuration == .full ? 0
                                           : Double(loaded.model.quantizedWeights.values.reduce(0) { $0 + $1.byteCount }) / 1_048_576), to: jsonPath)
            }
            return 0
        } catch {
            Terminal.err("attune bench train: \(error)")
            return 1
        }
    }

    /// Five timed calls of the step's typical projection, `[min(B·T, 2048), 576] · [576, 1536]`,
    /// in the current numerics mode.
    private static func sgemmProbe(batch: Int, sequence: Int) -> GEMMBenchmark.Measurement {
        GEMMBenchmark.measure(m: min(batch * sequence, 2048), k: 576, n: 1536, repeats: 5, warmup: 1)
    }

    static func inference(promptTokens: Int, decodeTokens: Int, repeats: Int, jsonPath: String?) -> Int32 {
        do {
            let r = try InferenceBenchmark.run(try loadSmolLM2(), promptTokens: promptTokens, decodeTokens: decodeTokens, repeats: repeats)
            print(String(format: "| SmolLM2 Q4_1 | prefill %d tokens: %.0f tokens/s | decode: %.1f tokens/s | peak %.0f MiB |",
                         r.promptTokens, r.prefillTokensPerSecond, r.decodeTokensPerSecond, r.peakResidentMiB))
            if let jsonPath { try writeJSON(r, to: jsonPath) }
            return 0
        } catch {
            Terminal.err("attune bench inference: \(error)")
            return 1
        }
    }

    /// A training measurement with its achieved arithmetic rate.
    struct Measured: Encodable {
        var result: TrainingBenchmark.Result
        var gflops: Double
        var checkpointing: Bool
        var batch: Int
        var sequence: Int
        /// Attune's sgemm at a training shape (`[B·T, 576] · [576, 1536]`), measured between the
        /// timed steps (the median of 5 calls after each): the step's achieved rate over this is
        /// the share of its GEMM's speed it keeps.
        var sgemmGFLOPs: Double
        /// `estimate`'s step time at that sgemm speed, beside the measured median.
        var estimatedStepSeconds: Double
        var medianStepSeconds: Double
        /// `estimate`'s memory (tensors and the frozen base) beside the engine's own tensor peak
        /// (`TensorMemory`), which does not count the frozen base's quantized blocks (`frozenBlockMiB`).
        var estimatedMiB: Double
        var peakTensorMiB: Double
        var frozenBlockMiB: Double
        /// The numerics mode, and the path of the bf16 GEMM (used in `bf16` numerics only).
        var numerics = Numerics.mode.rawValue
        var bf16Path = Numerics.bf16Path.name
    }

    /// The `estimate` setup of `configuration` (whose FLOPs give the achieved rate: forward
    /// `2·P_mm + 2·L·T·H·D` per token; ×3 for full fine-tuning, ×2 plus the adapters for LoRA; one
    /// more forward with checkpointing).
    static func setup(_ configuration: TrainingBenchmark.Configuration, batch: Int, sequence: Int, checkpointing: Bool,
                      baseWeightBytes: Double?) -> TrainingSetup {
        let method: FineTuningMethod = switch configuration { case .full: .full; case .qlora: .qlora; default: .lora }
        let targets: [LoRATarget] = configuration == .loraAll ? LoRATarget.allCases : [.q, .v]
        var setup = TrainingSetup(method: method, loraRank: 16, loraTargets: targets, doubleQuantization: true,
                                  gradientCheckpointing: checkpointing, batch: batch, sequence: sequence)
        setup.baseWeightBytes = baseWeightBytes
        setup.attentionThreads = Float.gemmRunsConcurrently ? Parallelism.workers : 1
        return setup
    }

    private static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(value).write(to: URL(fileURLWithPath: path))
    }

    private static func loadSmolLM2() throws -> LoadedModel {
        guard let url = ModelCache.default.cached(.smollm2) else {
            throw TrainingError.invalidConfiguration("SmolLM2 is not in the cache: run attune fetch smollm2 first")
        }
        return try LoadedModel.load(gguf: url)
    }
}
