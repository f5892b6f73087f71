import TensorCore
import Tokenization

/// The toy model for teaching and fast tests: a randomly initialised Llama over a byte-level
/// vocabulary (256 bytes + `<|endoftext|>`, `<|im_start|>`, `<|im_end|>`) with the ChatML template
/// and embeddings tied to the output layer, so experiments run in seconds.
public struct TinyModelOptions: Sendable, Equatable {
    /// Transformer blocks.
    public var layers = 2
    /// Model width `C`.
    public var dim = 64
    /// Query heads `H`.
    public var heads = 4
    /// Key/value heads `K` (grouped-query attention when smaller than `heads`).
    public var kvHeads = 2
    /// MLP width `F` (176 ≈ 8/3 · 64 rounded to a multiple of 16, as Llama sizes it).
    public var mlp = 176
    /// Context length.
    public var context = 256
    /// Rotary base.
    public var ropeTheta: Double = 10_000

    public init() {}

    public var configuration: LlamaConfiguration {
        LlamaConfiguration(vocabSize: ByteTokenizer().vocabularySize, hiddenSize: dim, intermediateSize: mlp, layers: layers,
                           heads: heads, kvHeads: kvHeads, headDim: dim / max(heads, 1), ropeTheta: ropeTheta, rmsNormEps: 1e-5,
                           tieWordEmbeddings: true, maxPositionEmbeddings: context)
    }

    /// Checks the sizes fit together, with a message naming the option.
    public func validate() throws {
        func fail(_ m: String) -> Error { TensorError.invalidArgument(m) }
        for (name, value, range) in [("layers", layers, 1...64), ("dim", dim, 2...4096), ("heads", heads, 1...64),
                                     ("kv_heads", kvHeads, 1...64), ("mlp", mlp, 1...16384), ("ctx", context, 2...8192)] {
            guard range.contains(value) else { throw fail("\(name) must be in \(range.lowerBound)…\(range.upperBound) (got \(value))") }
        }
        guard dim % heads == 0 else { throw fail("dim \(dim) must be a multiple of heads \(heads)") }
        guard heads % kvHeads == 0 else { throw fail("heads \(heads) must be a multiple of kv_heads \(kvHeads)") }
        guard (dim / heads) % 2 == 0 else { throw fail("head dimension dim/heads = \(dim / heads) must be even (rotary pairs)") }
    }
}

extension LoadedModel {
    /// A random-initialised tiny model: weights `N(0, 0.02²)` (Hugging Face's `initializer_range`),
    /// norms 1, from a generator seeded with `seed` (purpose "init").
    public static func tiny(_ options: TinyModelOptions = TinyModelOptions(), seed: UInt64) throws -> LoadedModel {
        try options.validate()
        let model = try LlamaModel(config: options.configuration)
        var rng = RandomGenerator(seed: seed, purpose: "init")
        for tensor in model.parameters.tensors {
            if tensor.rank == 1 {
                tensor.fill(1)
            } else {
                for i in 0..<tensor.count { tensor.pointer[i] = Float(0.02 * rng.normal()) }
            }
        }
        return LoadedModel(name: "tiny", model: model, tokenizer: ByteTokenizer(), chatTemplate: .chatML(defaultSystemPrompt: nil), source: nil)
    }
}
