import Models

/// Which projections a LoRA adapter wraps: Hugging Face module short names, or every linear
/// layer of the blocks (PEFT's `"all-linear"`, which leaves the output layer alone).
public enum LoRATargets: Sendable, Equatable, Codable {
    case modules([String])
    case allLinear

    /// The short names in the model's projection order (`q_proj` … `down_proj`).
    public var projections: [String] {
        switch self {
        case .allLinear: LlamaModel.projectionNames
        case .modules(let names): LlamaModel.projectionNames.filter { names.contains($0) }
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            self = s == "all-linear" ? .allLinear : .modules([s])
        } else {
            self = .modules(try c.decode([String].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .allLinear: try c.encode("all-linear")
        case .modules(let names): try c.encode(names)
        }
    }
}

/// LoRA hyperparameters (PEFT `LoraConfig` names in the coding keys; defaults as PEFT's).
///
/// `y = W x + s · B A dropout(x)` on every targeted projection of every selected layer, with
/// `s = alpha / r` (rsLoRA: `alpha / √r`); A `[r, in]`, B `[out, r]`.
public struct LoRAConfiguration: Sendable, Equatable, Codable {
    /// Rank `r` of the update (PEFT default 8).
    public var rank: Int
    /// `lora_alpha` (PEFT default 8): the update is scaled by `alpha / r`.
    public var alpha: Double
    /// Dropout on the adapter's input while training (PEFT default 0).
    public var dropout: Double
    /// Wrapped projections (PEFT default for Llama: q_proj, v_proj).
    public var targets: LoRATargets
    /// Only these layers (`layers_to_transform`); `nil` = every layer.
    public var layers: [Int]?
    /// Rank-stabilised scaling `alpha / √r`.
    public var useRSLoRA: Bool
    /// Seed of the initialisation (A) and dropout streams.
    public var seed: UInt64

    public init(rank: Int = 8, alpha: Double = 8, dropout: Double = 0, targets: LoRATargets = .modules(["q_proj", "v_proj"]),
                layers: [Int]? = nil, useRSLoRA: Bool = false, seed: UInt64 = 0) {
        self.rank = rank
        self.alpha = alpha
        self.dropout = dropout
        self.targets = targets
        self.layers = layers
        self.useRSLoRA = useRSLoRA
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case rank = "r", alpha = "lora_alpha", dropout = "lora_dropout", targets = "target_modules"
        case layers = "layers_to_transform", useRSLoRA = "use_rslora", seed
    }

    /// The update scale `s`.
    public var scale: Float { LoRALinear.scale(rank: rank, alpha: Float(alpha), rsLoRA: useRSLoRA) }

    /// Checks every value against `model`; throws naming the setting and the fix.
    public func validate(for model: LlamaConfiguration) throws(TrainingError) {
        guard rank > 0 else { throw .invalidSetting(name: "r", value: "\(rank)", expected: "a positive rank, typically 4-64") }
        guard alpha > 0, alpha.isFinite else { throw .invalidSetting(name: "alpha", value: "\(alpha)", expected: "a positive number, typically r or 2·r") }
        guard dropout >= 0, dropout < 1 else { throw .invalidSetting(name: "dropout", value: "\(dropout)", expected: "a probability in [0, 1), typically 0-0.1") }
        if case .modules(let names) = targets {
            guard !names.isEmpty else { throw .invalidSetting(name: "targets", value: "[]", expected: "at least one of \(LlamaModel.projectionNames.joined(separator: ", ")) or all-linear") }
            for name in names where !LlamaModel.projectionNames.contains(name) {
                throw .unknownTarget(name, suggestion: closestName(to: name, in: LlamaModel.projectionNames), known: LlamaModel.projectionNames)
            }
        }
        if let layers {
            guard !layers.isEmpty else { throw .invalidSetting(name: "layers", value: "[]", expected: "at least one layer index, or no setting for every layer") }
            for layer in layers where layer < 0 || layer >= model.layers { throw .layerOutOfRange(layer, layers: model.layers) }
        }
    }

    /// The adapted layer indices in increasing order.
    public func layerIndices(for model: LlamaConfiguration) -> [Int] {
        layers.map { Array(Set($0)).sorted() } ?? Array(0..<model.layers)
    }

    /// The adapted modules in model order: (module name `model.layers.{i}.self_attn.q_proj`,
    /// in features, out features).
    public func adaptedModules(for model: LlamaConfiguration) -> [(module: String, inFeatures: Int, outFeatures: Int)] {
        var list = [(String, Int, Int)]()
        for layer in layerIndices(for: model) {
            for projection in targets.projections {
                let (out, inF) = Self.projectionShape(projection, model)
                list.append((LlamaModel.moduleName(layer: layer, projection: projection), inF, out))
            }
        }
        return list
    }

    /// `(out, in)` of a projection of `model`.
    static func projectionShape(_ projection: String, _ c: LlamaConfiguration) -> (Int, Int) {
        switch projection {
        case "q_proj": (c.heads * c.headDim, c.hiddenSize)
        case "k_proj", "v_proj": (c.kvHeads * c.headDim, c.hiddenSize)
        case "o_proj": (c.hiddenSize, c.heads * c.headDim)
        case "gate_proj", "up_proj": (c.intermediateSize, c.hiddenSize)
        case "down_proj": (c.hiddenSize, c.intermediateSize)
        default: preconditionFailure("unknown projection \(projection)")
        }
    }

    /// Trainable parameters `Σ r·(in + out)` over the adapted modules, from the configuration
    /// alone (no weights are allocated).
    public func trainableParameterCount(for model: LlamaConfiguration) throws(TrainingError) -> Int {
        try validate(for: model)
        return adaptedModules(for: model).reduce(0) { $0 + rank * ($1.inFeatures + $1.outFeatures) }
    }
}
