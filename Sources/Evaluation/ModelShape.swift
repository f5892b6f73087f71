/// The shapes of a Llama-family decoder: enough to count parameters, memory and FLOPs without
/// loading it. Coding keys are the Hugging Face `config.json` names, so a config decodes directly.
///
/// Letters as in the engine: L layers, C width, F MLP width, H heads, K kv heads, D head dim,
/// V vocabulary.
public struct ModelShape: Sendable, Equatable, Codable {
    public var name: String
    /// L
    public var layers: Int
    /// C
    public var hidden: Int
    /// F
    public var intermediate: Int
    /// H
    public var heads: Int
    /// K
    public var kvHeads: Int
    /// V
    public var vocab: Int
    /// D (usually C / H)
    public var headDim: Int
    /// Whether `lm_head` shares the embedding matrix.
    public var tiedEmbeddings: Bool

    enum CodingKeys: String, CodingKey {
        case name = "_name_or_path"
        case layers = "num_hidden_layers"
        case hidden = "hidden_size"
        case intermediate = "intermediate_size"
        case heads = "num_attention_heads"
        case kvHeads = "num_key_value_heads"
        case vocab = "vocab_size"
        case headDim = "head_dim"
        case tiedEmbeddings = "tie_word_embeddings"
    }

    public init(name: String, layers: Int, hidden: Int, intermediate: Int, heads: Int, kvHeads: Int,
                vocab: Int, headDim: Int? = nil, tiedEmbeddings: Bool) {
        self.name = name
        self.layers = layers
        self.hidden = hidden
        self.intermediate = intermediate
        self.heads = heads
        self.kvHeads = kvHeads
        self.vocab = vocab
        self.headDim = headDim ?? hidden / heads
        self.tiedEmbeddings = tiedEmbeddings
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let heads = try c.decode(Int.self, forKey: .heads)
        let hidden = try c.decode(Int.self, forKey: .hidden)
        self.init(name: try c.decodeIfPresent(String.self, forKey: .name) ?? "model",
                  layers: try c.decode(Int.self, forKey: .layers), hidden: hidden,
                  intermediate: try c.decode(Int.self, forKey: .intermediate), heads: heads,
                  kvHeads: try c.decodeIfPresent(Int.self, forKey: .kvHeads) ?? heads,
                  vocab: try c.decode(Int.self, forKey: .vocab),
                  headDim: try c.decodeIfPresent(Int.self, forKey: .headDim),
                  // transformers' LlamaConfig default is tied = false.
                  tiedEmbeddings: try c.decodeIfPresent(Bool.self, forKey: .tiedEmbeddings) ?? false)
    }

    /// Weights of the seven projections of one layer:
    /// q `C·H·D` + k, v `2·C·K·D` + o `H·D·C` + gate, up, down `3·C·F`.
    public var linearParametersPerLayer: Int {
        LoRATarget.allCases.map { $0.inputs(self) * $0.outputs(self) }.reduce(0, +)
    }

    /// Parameters of one layer: projections plus two RMSNorm weights (2C).
    public var parametersPerLayer: Int { linearParametersPerLayer + 2 * hidden }

    /// Embedding table, and the output head again when it is not tied: `V·C` (× 2 untied).
    public var embeddingParameters: Int { vocab * hidden * (tiedEmbeddings ? 1 : 2) }

    /// All parameters: `L · per layer + final norm C + embeddings`.
    public var parameterCount: Int { layers * parametersPerLayer + hidden + embeddingParameters }

    /// Parameters that take part in matrix products per token: all projections plus the output
    /// head `V·C` (tied or not); the embedding lookup is not a product.
    public var matmulParameters: Int { layers * linearParametersPerLayer + vocab * hidden }

    /// Trainable LoRA parameters: `L · Σ_targets r·(in + out)`.
    public func loraParameters(rank: Int, targets: [LoRATarget]) -> Int {
        layers * targets.map { rank * ($0.inputs(self) + $0.outputs(self)) }.reduce(0, +)
    }
}

/// A Llama projection that LoRA can adapt, by its Hugging Face module name.
public enum LoRATarget: String, Sendable, Codable, CaseIterable {
    case q = "q_proj", k = "k_proj", v = "v_proj", o = "o_proj"
    case gate = "gate_proj", up = "up_proj", down = "down_proj"

    /// Input width of the projection.
    public func inputs(_ shape: ModelShape) -> Int {
        switch self {
        case .q, .k, .v, .gate, .up: return shape.hidden
        case .o: return shape.heads * shape.headDim
        case .down: return shape.intermediate
        }
    }

    /// Output width of the projection.
    public func outputs(_ shape: ModelShape) -> Int {
        switch self {
        case .q: return shape.heads * shape.headDim
        case .k, .v: return shape.kvHeads * shape.headDim
        case .o, .down: return shape.hidden
        case .gate, .up: return shape.intermediate
        }
    }

    /// Attention projections only.
    public static let attention: [LoRATarget] = [.q, .k, .v, .o]
}
