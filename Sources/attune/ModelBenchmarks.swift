import Evaluation
import Foundation
import Models
import TensorCore
import Training

/// `attune bench train CONFIG` and `attune bench inference`: one SmolLM2 measurement per process
/// (so the peak resident memory is that configuration's own), printed as a Markdown row and
/// written as JSON. `Scripts/bench` runs each in turn and assembles the tables.
enum ModelBenchmarks {
    static func train(arguments: [String]) -> Int32 {
        guard let name = arguments.first, let configuration = TrainingBenchmark.Configuration(rawValue: name) else {
            let names = TrainingBenchmark.Configuration.allCases.map(\.rawValue).joined(separator: "|")
            return CommandLineInterface.fail("bench train: name a configuration (\(names)), e.g. attune bench train lora-qv --steps 30")
        }
        var steps = 5, warmup = 1, checkpointing = false
        var dataPath: String?, jsonPath: String?
        var i = 1
        while i < arguments.count {
            let value = i + 1 < arguments.count ? arguments[i + 1] : nil
            switch arguments[i] {
            case "--steps": guard let n = value.flatMap(Int.init), n > 0 else { return usage("--steps needs a positive count") }; steps = n; i += 1
            case "--warmup": guard let n = value.flatMap(Int.init), n >= 0 else { return usage("--warmup needs a count") }; warmup = n; i += 1
            case "--data": guard let value else { return usage("--data needs a JSONL file") }; dataPath = value; i += 1
            case "--json": guard let value else { return usage("--json needs a file") }; jsonPath = value; i += 1
            case "--checkpointing": checkpointing = true
            default: return usage("unknown option \(arguments[i])")
            }
            i += 1
        }
        do {
            let loaded = try loadSmolLM2()
            let data = try dataPath.map { try TrainingBenchmark.packedBatches(dataset: $0, loaded: loaded) }
            let label = configuration.description + (checkpointing ? ", gradient checkpointing" : "")
            print("bench train \(configuration.rawValue): \(label), batch 4 × 256, \(warmup) warm-up + \(steps) timed steps"
                  + (dataPath.map { " on \($0) (\(data!.count) full-length batches)" } ?? " on random tokens"))
            let result = try TrainingBenchmark.run(configuration, loaded: loaded, warmup: warmup, steps: steps,
                                                   gradientCheckpointing: checkpointing, data: data) { step, loss, seconds in
                print(String(format: "  step %2d  loss %.4f  %.2f s", step + 1, loss, seconds))
            }
            print("  per step: " + result.phases.named.map { String(format: "%@ %.2f s on %.1f cores", $0.name, $0.phase.wallSeconds, $0.phase.cores) }
                .joined(separator: " · "))
            let median = result.stepSeconds.sorted()[result.stepSeconds.count / 2]
            let gflops = flopsPerStep(configuration, checkpointing: checkpointing) / median / 1e9
            let losses = result.losses
            var line = String(format: "| %@ | %.0f | %.2f | %.0f | %.0f MiB |", label, result.tokensPerSecond, median, gflops, result.peakResidentMiB)
            if losses.count >= 10 {
                let first = losses.prefix(5).reduce(0, +) / 5, last = losses.suffix(5).reduce(0, +) / 5
                line += String(format: " %.3f → %.3f |", first, last)
            }
            print(line)
            if let jsonPath { try writeJSON(Measured(result: result, gflops: gflops, checkpointing: checkpointing), to: jsonPath) }
            return 0
        } catch {
            return CommandLineInterface.fail("bench train: \(error)")
        }
    }

    static func inference(arguments: [String]) -> Int32 {
        var jsonPath: String?
        var promptTokens = 256, decodeTokens = 32, repeats = 3
        var i = 0
        while i < arguments.count {
            let value = i + 1 < arguments.count ? arguments[i + 1] : nil
            func count(_ minimum: Int) -> Int? { value.flatMap(Int.init).flatMap { $0 >= minimum ? $0 : nil } }
            switch arguments[i] {
            case "--json": guard let value else { return inferenceUsage("--json needs a file") }; jsonPath = value
            case "--prompt": guard let n = count(1) else { return inferenceUsage("--prompt needs a positive token count") }; promptTokens = n
            case "--decode": guard let n = count(0) else { return inferenceUsage("--decode needs a token count") }; decodeTokens = n
            case "--repeats": guard let n = count(1) else { return inferenceUsage("--repeats needs a positive count") }; repeats = n
            default: return inferenceUsage("unknown option \(arguments[i])")
            }
            i += 2
        }
        do {
            let r = try InferenceBenchmark.run(try loadSmolLM2(), promptTokens: promptTokens, decodeTokens: decodeTokens, repeats: repeats)
            print(String(format: "| SmolLM2 Q4_1 | prefill %d tokens: %.0f tokens/s | decode: %.1f tokens/s | peak %.0f MiB |",
                         r.promptTokens, r.prefillTokensPerSecond, r.decodeTokensPerSecond, r.peakResidentMiB))
            if let jsonPath { try writeJSON(r, to: jsonPath) }
            return 0
        } catch {
            return CommandLineInterface.fail("bench inference: \(error)")
        }
    }

    private static func inferenceUsage(_ problem: String) -> Int32 {
        CommandLineInterface.fail("bench inference: \(problem) (options: --prompt N, --decode N, --repeats N, --json FILE)")
    }

    /// A training measurement with its achieved arithmetic rate.
    struct Measured: Encodable {
        var result: TrainingBenchmark.Result
        var gflops: Double
        var checkpointing: Bool
    }

    /// FLOPs of one step of `configuration` on SmolLM2-135M at batch 4 × 256, as `estimate` counts
    /// them (forward `2·P_mm + 2·L·T·H·D` per token; ×3 for full fine-tuning, ×2 plus the adapters
    /// for LoRA; one more forward with checkpointing).
    static func flopsPerStep(_ configuration: TrainingBenchmark.Configuration, checkpointing: Bool) -> Double {
        let method: FineTuningMethod = switch configuration { case .full: .full; case .qlora: .qlora; default: .lora }
        let targets: [LoRATarget] = configuration == .loraAll ? LoRATarget.allCases : [.q, .v]
        let setup = TrainingSetup(method: method, loraRank: 16, loraTargets: targets, gradientCheckpointing: checkpointing,
                                  batch: 4, sequence: 256)
        return Estimator.estimate(.smolLM2_135M, setup).flopsPerStep
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

    private static func usage(_ message: String) -> Int32 {
        CommandLineInterface.fail("bench train: \(message) (options: --steps N, --warmup N, --data FILE, --checkpointing, --json FILE)")
    }
}
