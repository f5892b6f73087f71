import Foundation
import TensorCore

/// How the next token is chosen from logits.
public struct SamplingOptions: Sendable, Equatable {
    /// 0 picks the most likely token (greedy); otherwise logits are divided by it.
    public var temperature: Float = 0
    /// Keep only the `topK` most likely tokens (0: all).
    public var topK: Int = 0
    /// Keep the smallest set of tokens whose probability reaches `topP` (1: all).
    public var topP: Float = 1
    /// Hugging Face's repetition penalty: logits of tokens already in the context are divided by
    /// it when positive and multiplied when negative (1: off).
    public var repetitionPenalty: Float = 1
    /// Seed of the sampling generator.
    public var seed: UInt64 = 0

    public init(temperature: Float = 0, topK: Int = 0, topP: Float = 1, repetitionPenalty: Float = 1, seed: UInt64 = 0) {
        self.temperature = temperature; self.topK = topK; self.topP = topP
        self.repetitionPenalty = repetitionPenalty; self.seed = seed
    }

    /// Checks the ranges; the message names the option and the valid range.
    public func validate() throws {
        guard temperature >= 0, temperature.isFinite else { throw TensorError.invalidArgument("temperature must be ≥ 0 (got \(temperature))") }
        guard topK >= 0 else { throw TensorError.invalidArgument("top_k must be ≥ 0 (got \(topK))") }
        guard topP > 0, topP <= 1 else { throw TensorError.invalidArgument("top_p must be in (0, 1] (got \(topP))") }
        guard repetitionPenalty > 0, repetitionPenalty.isFinite else { throw TensorError.invalidArgument("repetition penalty must be > 0 (got \(repetitionPenalty))") }
    }
}

/// Picks tokens from logits with a seeded generator (same seed, same logits → same tokens).
public struct Sampler {
    public let options: SamplingOptions
    private var rng: RandomGenerator

    public init(options: SamplingOptions) {
        self.options = options
        rng = RandomGenerator(seed: options.seed, purpose: "sampling")
    }

    /// The next token for `logits [V]`, given the tokens so far (for the repetition penalty).
    public mutating func next(logits input: [Float], context: [Int]) -> Int {
        var logits = input
        if options.repetitionPenalty != 1 {
            for id in Set(context) where id >= 0 && id < logits.count {
                logits[id] = logits[id] > 0 ? logits[id] / options.repetitionPenalty : logits[id] * options.repetitionPenalty
            }
        }
        if options.temperature == 0 { return Self.argmax(logits) }
        var candidates = logits.indices.map { (id: $0, logit: logits[$0] / options.temperature) }
        candidates.sort { $0.logit != $1.logit ? $0.logit > $1.logit : $0.id < $1.id }
        if options.topK > 0 { candidates = Array(candidates.prefix(options.topK)) }
        let top = candidates[0].logit
        var probabilities = candidates.map { Foundation.exp(Double($0.logit - top)) }
        let total = probabilities.reduce(0, +)
        probabilities = probabilities.map { $0 / total }
        if options.topP < 1 {
            var cumulative = 0.0, keep = 0
            while keep < probabilities.count {
                cumulative += probabilities[keep]
                keep += 1
                if cumulative >= Double(options.topP) { break }
            }
            candidates = Array(candidates.prefix(keep))
            probabilities = Array(probabilities.prefix(keep))
            let kept = probabilities.reduce(0, +)
            probabilities = probabilities.map { $0 / kept }
        }
        let u = rng.nextDouble()
        var cumulative = 0.0
        for (candidate, p) in zip(candidates, probabilities) {
            cumulative += p
            if u < cumulative { return candidate.id }
        }
        return candidates.last!.id
    }

    /// Index of the largest logit (the lowest index on ties).
    public static func argmax(_ logits: [Float]) -> Int {
        var best = 0
        for i in 1..<logits.count where logits[i] > logits[best] { best = i }
        return best
    }
}
