import Models
import TensorCore
import Tokenization

/// `model new tiny`: a small random Llama for teaching, built in the runtime until the Models
/// module offers its own initialiser.
///
/// Defaults (DESIGN §3a): 2 layers, width 64, 4 heads, 2 kv heads, MLP 176, context 256. The
/// vocabulary is `ByteTokenizer`'s: 256 bytes plus the ChatML specials `<|endoftext|>`,
/// `<|im_start|>`, `<|im_end|>` (259 ids). Embeddings are tied to the output layer, rope θ is
/// 10000, RMSNorm ε 1e-5.
///
/// Initialisation, from one generator `RandomGenerator(seed:, purpose: "init")` drawn in
/// parameter order: every matrix ~ normal(0, 0.02), every norm weight = 1, biases (none here) = 0.
/// The same seed and sizes give the same weights.
public struct TinyModelOptions: Sendable, Hashable {
    public var layers = 2
    public var dim = 64
    public var heads = 4
    public var kvHeads = 2
    public var mlp = 176
    public var context = 256

    public init() {}

    /// Largest toy model `model new tiny` builds (values, not bytes).
    public static let maximumParameters = 50_000_000

    /// The Llama configuration these options describe.
    public var configuration: LlamaConfiguration {
        LlamaConfiguration(vocabSize: ByteTokenizer().vocabularySize, hiddenSize: dim, intermediateSize: mlp, layers: layers,
                           heads: heads, kvHeads: kvHeads, ropeTheta: 10_000, rmsNormEps: 1e-5, tieWordEmbeddings: true,
                           maxPositionEmbeddings: context)
    }

    /// Builds and initialises the model.
    public func make(seed: UInt64) throws -> LlamaModel {
        let model = try LlamaModel(config: configuration)
        var generator = RandomGenerator(seed: seed, purpose: "init")
        for tensor in model.parameters.tensors {
            let pointer = tensor.pointer
            if tensor.name.hasSuffix("norm.weight") {
                pointer.update(repeating: 1, count: tensor.count)
            } else if tensor.name.hasSuffix(".bias") {
                pointer.update(repeating: 0, count: tensor.count)
            } else {
                for i in 0..<tensor.count { pointer[i] = Float(generator.normal() * 0.02) }
            }
        }
        return model
    }
}
