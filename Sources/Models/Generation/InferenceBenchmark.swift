import Foundation
import TensorCore

/// Prefill and decode speed of a loaded model, measured as DESIGN §7 says (median of runs).
public enum InferenceBenchmark {
    public struct Result: Sendable, Codable {
        public var promptTokens: Int
        public var prefillTokensPerSecond: Double
        public var decodeTokens: Int
        public var decodeTokensPerSecond: Double
        public var residentMiB: Double
        public var peakResidentMiB: Double
    }

    /// Prefill of `promptTokens` tokens (batch 1) and greedy decode of `decodeTokens` tokens with
    /// the KV cache, `repeats` times; medians reported.
    public static func run(_ loaded: LoadedModel, promptTokens: Int = 256, decodeTokens: Int = 32, repeats: Int = 3) throws -> Result {
        var rng = RandomGenerator(seed: 5)
        let vocab = loaded.model.config.vocabSize
        let prompt = (0..<promptTokens).map { _ in 100 + rng.nextInt(below: vocab - 100) }
        var prefill = [Double](), decode = [Double]()
        for _ in 0..<repeats {
            let r = try loaded.model.generate(prompt: prompt, maxTokens: decodeTokens + 1)
            prefill.append(r.prefillTokensPerSecond)
            decode.append(r.decodeTokensPerSecond)
        }
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        return Result(promptTokens: promptTokens, prefillTokensPerSecond: median(prefill), decodeTokens: decodeTokens,
                      decodeTokensPerSecond: median(decode),
                      residentMiB: Double(ProcessMemory.residentBytes ?? 0) / 1_048_576,
                      peakResidentMiB: Double(ProcessMemory.peakResidentBytes ?? 0) / 1_048_576)
    }
}
