import Foundation
import TensorCore

/// A Llama-family architecture. Coding keys are Hugging Face's `config.json` names, so a
/// checkpoint's config decodes directly; GGUF metadata maps onto the same fields.
public struct LlamaConfiguration: Codable, Sendable, Equatable {
    /// Vocabulary size `V`.
    public var vocabSize: Int
    /// Model width `C`.
    public var hiddenSize: Int
    /// MLP width `F`.
    public var intermediateSize: Int
    /// Number of transformer blocks.
    public var layers: Int
    /// Query heads `H`.
    public var heads: Int
    /// Key/value heads `K` (grouped-query attention when `K < H`).
    public var kvHeads: Int
    /// Head dimension `D` (defaults to `C / H`).
    public var headDim: Int
    /// Rotary base θ.
    public var ropeTheta: Double
    /// RMSNorm ε.
    public var rmsNormEps: Float
    /// Output layer shares the embedding matrix.
    public var tieWordEmbeddings: Bool
    /// Longest context the model was trained for.
    public var maxPositionEmbeddings: Int
    /// q/k/v projections carry a bias (Qwen2).
    public var attentionBias: Bool
    /// Which rotary pairing the stored Q/K rows expect: `half` for Hugging Face checkpoints,
    /// `interleaved` for GGUF files whose Q/K rows llama.cpp's converter permuted.
    public var ropeLayout: RotaryLayout

    public init(vocabSize: Int, hiddenSize: Int, intermediateSize: Int, layers: Int, heads: Int, kvHeads: Int,
                headDim: Int? = nil, ropeTheta: Double = 10_000, rmsNormEps: Float = 1e-5, tieWordEmbeddings: Bool = false,
                maxPositionEmbeddings: Int = 2048, attentionBias: Bool = false, ropeLayout: RotaryLayout = .half) {
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.layers = layers
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim ?? hiddenSize / max(heads, 1)
        self.ropeTheta = ropeTheta
        self.rmsNormEps = rmsNormEps
        self.tieWordEmbeddings = tieWordEmbeddings
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.attentionBias = attentionBias
        self.ropeLayout = ropeLayout
    }

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case layers = "num_hidden_layers", heads = "num_attention_heads", kvHeads = "num_key_value_heads"
        case headDim = "head_dim", ropeTheta = "rope_theta", rmsNormEps = "rms_norm_eps"
        case tieWordEmbeddings = "tie_word_embeddings", maxPositionEmbeddings = "max_position_embeddings"
        case attentionBias = "attention_bias", ropeParameters = "rope_parameters", ropeLayout = "attune_rope_layout"
        case modelType = "model_type"
    }

    struct RopeParameters: Codable { var rope_theta: Double? }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let hidden = try c.decode(Int.self, forKey: .hiddenSize)
        let heads = try c.decode(Int.self, forKey: .heads)
        // transformers 5 writes rope_theta inside rope_parameters; older checkpoints at the top level.
        let nested = try c.decodeIfPresent(RopeParameters.self, forKey: .ropeParameters)?.rope_theta
        self.init(vocabSize: try c.decode(Int.self, forKey: .vocabSize),
                  hiddenSize: hidden,
                  intermediateSize: try c.decode(Int.self, forKey: .intermediateSize),
                  layers: try c.decode(Int.self, forKey: .layers),
                  heads: heads,
                  kvHeads: try c.decodeIfPresent(Int.self, forKey: .kvHeads) ?? heads,
                  headDim: try c.decodeIfPresent(Int.self, forKey: .headDim),
                  ropeTheta: try c.decodeIfPresent(Double.self, forKey: .ropeTheta) ?? nested ?? 10_000,
                  rmsNormEps: try c.decodeIfPresent(Float.self, forKey: .rmsNormEps) ?? 1e-6,
                  tieWordEmbeddings: try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? false,
                  maxPositionEmbeddings: try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? 2048,
                  // Qwen2 checkpoints always carry q/k/v biases and say so only through model_type.
                  attentionBias: try c.decodeIfPresent(Bool.self, forKey: .attentionBias)
                      ?? (try c.decodeIfPresent(String.self, forKey: .modelType) == "qwen2"),
                  ropeLayout: try c.decodeIfPresent(RotaryLayout.self, forKey: .ropeLayout) ?? .half)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(vocabSize, forKey: .vocabSize)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(intermediateSize, forKey: .intermediateSize)
        try c.encode(layers, forKey: .layers)
        try c.encode(heads, forKey: .heads)
        try c.encode(kvHeads, forKey: .kvHeads)
        try c.encode(headDim, forKey: .headDim)
        try c.encode(ropeTheta, forKey: .ropeTheta)
        try c.encode(rmsNormEps, forKey: .rmsNormEps)
        try c.encode(tieWordEmbeddings, forKey: .tieWordEmbeddings)
        try c.encode(maxPositionEmbeddings, forKey: .maxPositionEmbeddings)
        try c.encode(attentionBias, forKey: .attentionBias)
    }

    /// Upper bounds for each size, far above any published Llama-family model (Llama 3 405B has
    /// 126 layers, width 16,384, MLP 53,248, 128 heads, vocabulary 128,256) and low enough that
    /// the shapes they imply cannot overflow: a file claiming more is refused before anything is
    /// allocated.
    public static let bounds: [(key: String, limit: Int)] = [
        ("vocab_size", 1 << 21), ("hidden_size", 65_536), ("intermediate_size", 262_144),
        ("num_hidden_layers", 1_024), ("num_attention_heads", 1_024), ("num_key_value_heads", 1_024),
        ("head_dim", 4_096), ("max_position_embeddings", 1 << 24),
    ]

    /// The Hugging Face key names; a GGUF loader passes its own (`llama.block_count`, …) so the
    /// message names the key that is in the file.
    public static let huggingFaceKeys: [String: String] = Dictionary(uniqueKeysWithValues: bounds.map { ($0.key, $0.key) })

    /// Checks the numbers fit together and lie within `bounds`; throws a message naming the key,
    /// its value and the bound, e.g. "num_hidden_layers is 100000, above the bound 1024".
    /// `keys` maps Hugging Face names to the names the file uses.
    public func validate(keys: [String: String] = LlamaConfiguration.huggingFaceKeys) throws {
        func fail(_ message: String) -> Error { TensorError.invalidArgument("model configuration: \(message)") }
        func name(_ key: String) -> String { keys[key] ?? key }
        let values: [String: Int] = ["vocab_size": vocabSize, "hidden_size": hiddenSize, "intermediate_size": intermediateSize,
                                     "num_hidden_layers": layers, "num_attention_heads": heads, "num_key_value_heads": kvHeads,
                                     "head_dim": headDim, "max_position_embeddings": maxPositionEmbeddings]
        for (key, limit) in Self.bounds {
            let value = values[key]!
            guard value > 0 else { throw fail("\(name(key)) must be positive, got \(value)") }
            guard value <= limit else {
                throw fail("\(name(key)) is \(value), above the bound \(limit) for a Llama-family model (a corrupted or hostile file?)")
            }
        }
        guard heads % kvHeads == 0 else { throw fail("\(name("num_attention_heads")) \(heads) is not a multiple of \(name("num_key_value_heads")) \(kvHeads)") }
        guard headDim % 2 == 0 else { throw fail("\(name("head_dim")) \(headDim) must be even for rotary embeddings") }
        guard rmsNormEps > 0, rmsNormEps.isFinite, ropeTheta > 0, ropeTheta.isFinite else {
            throw fail("rms_norm_eps (\(rmsNormEps)) and rope_theta (\(ropeTheta)) must be positive and finite")
        }
        guard checkedParameterCount != nil else { throw fail("the shapes imply more parameters than can be counted") }
    }

    /// The parameter count with overflow-checked arithmetic (nil on overflow); sizes within
    /// `bounds` never overflow, so this is a second line of defence.
    public var checkedParameterCount: Int? {
        func product(_ a: Int, _ b: Int) -> Int? {
            let (p, o) = a.multipliedReportingOverflow(by: b)
            return o ? nil : p
        }
        func sum(_ values: [Int?]) -> Int? {
            var total = 0
            for v in values {
                guard let v else { return nil }
                let (s, o) = total.addingReportingOverflow(v)
                if o { return nil }
                total = s
            }
            return total
        }
        guard let q = product(heads, headDim), let kv = product(kvHeads, headDim) else { return nil }
        let perLayer = sum([product(q, hiddenSize), product(kv, hiddenSize), product(kv, hiddenSize), product(hiddenSize, q),
                            product(intermediateSize, hiddenSize), product(intermediateSize, hiddenSize),
                            product(hiddenSize, intermediateSize), product(hiddenSize, 2),
                            attentionBias ? sum([q, kv, kv]) : 0])
        let embedding = product(vocabSize, hiddenSize)
        return sum([embedding, tieWordEmbeddings ? 0 : embedding, hiddenSize, perLayer.flatMap { product($0, layers) }])
    }

    /// Every parameter with its Hugging Face name and shape, in checkpoint order.
    public var parameterShapes: [(name: String, shape: [Int])] {
        var list: [(String, [Int])] = [("model.embed_tokens.weight", [vocabSize, hiddenSize])]
        for i in 0..<layers {
            let p = "model.layers.\(i)."
            list.append((p + "input_layernorm.weight", [hiddenSize]))
            list.append((p + "self_attn.q_proj.weight", [heads * headDim, hiddenSize]))
            list.append((p + "self_attn.k_proj.weight", [kvHeads * headDim, hiddenSize]))
            list.append((p + "self_attn.v_proj.weight", [kvHeads * headDim, hiddenSize]))
            if attentionBias {
                list.append((p + "self_attn.q_proj.bias", [heads * headDim]))
                list.append((p + "self_attn.k_proj.bias", [kvHeads * headDim]))
                list.append((p + "self_attn.v_proj.bias", [kvHeads * headDim]))
            }
            list.append((p + "self_attn.o_proj.weight", [hiddenSize, heads * headDim]))
            list.append((p + "post_attention_layernorm.weight", [hiddenSize]))
            list.append((p + "mlp.gate_proj.weight", [intermediateSize, hiddenSize]))
            list.append((p + "mlp.up_proj.weight", [intermediateSize, hiddenSize]))
            list.append((p + "mlp.down_proj.weight", [hiddenSize, intermediateSize]))
        }
        list.append(("model.norm.weight", [hiddenSize]))
        if !tieWordEmbeddings { list.append(("lm_head.weight", [vocabSize, hiddenSize])) }
        return list
    }

    /// Total parameter count.
    public var parameterCount: Int { parameterShapes.reduce(0) { $0 + $1.shape.reduce(1, *) } }
}
