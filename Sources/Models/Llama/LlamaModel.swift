import TensorCore

/// A Llama-family decoder (SmolLM2, TinyLlama, Llama 3, Qwen2) built from TensorCore kernels.
///
/// Per block, with `N = B·T` rows:
/// ```
/// h = RMSNorm(x)                                   [N, C]
/// q, k, v = rope(h Wqᵀ), rope(h Wkᵀ), h Wvᵀ         [B, T, H, D], [B, T, K, D]
/// x = x + attention(q, k, v) Woᵀ                    [N, C]
/// x = x + (silu(RMSNorm(x) Wgᵀ) ⊙ RMSNorm(x) Wuᵀ) Wdᵀ
/// ```
/// then `logits = RMSNorm(x) · Wₗₘᵀ` `[N, V]` (`Wₗₘ` is the embedding when tied).
public final class LlamaModel {
    public let config: LlamaConfiguration
    /// Every float32 parameter, named as in Hugging Face checkpoints (all of them for a dense
    /// model; norms and biases only when the weights stay quantized).
    public let parameters: ParameterArena
    /// Weights kept in their file's quantization, by Hugging Face name.
    public let quantizedWeights: [String: QuantizedMatrix]
    /// Projections by module name (`model.layers.0.self_attn.q_proj`); a fine-tuning method may
    /// replace entries (LoRA wraps them).
    public var linears: [String: LinearLayer] {
        didSet {
            blockLayers = Self.blockLayers(linears, layers: config.layers)
            decodePlan.clear()
            adapterDecodePlans.clear()
        }
    }
    /// `linears` by block and `projectionNames` index, kept in step with it: a decoded token
    /// looks up 210 projections, by name a String built and hashed each time (2% of decoding).
    private var blockLayers: [[LinearLayer?]] = []
    /// Each block's two RMSNorm weights (input, post-attention), views into `parameters`.
    private var blockNorms: [(input: Tensor, postAttention: Tensor)] = []
    /// The token embedding `[V, C]`.
    public let embedding: TokenEmbedding
    /// The output projection `[V, C]` (the embedding when tied).
    public var outputHead: LinearLayer { didSet { decodePlan.clear(); adapterDecodePlans.clear() } }
    /// What the tape-free decoding step needs of the projections, found on its first token
    /// (`QuantizedDecodePlan`); dropped when a projection or the head changes.
    let decodePlan = WeightCopyCache<QuantizedDecodePlan>()
    /// The same for a sequence whose own layers (an adapter's) replace some projections (serve's
    /// rows), by those layers; dropped with `decodePlan`.
    let adapterDecodePlans = AdapterDecodePlans()
    /// Recompute each block's activations in backward instead of keeping them (`Tape.checkpoint`):
    /// about one more forward pass of time for one block's activations of memory.
    public var gradientCheckpointing = false
    /// Rows per chunk of `trainingLoss` (default: about 32 MB of logits per chunk).
    public var lossChunkRows: Int?

    /// A model with zeroed float32 parameters of `config`'s shapes, except the weights given in
    /// `quantizedWeights` (Hugging Face names, row-major `[out, in]`), which stay quantized.
    public init(config: LlamaConfiguration, quantizedWeights: [String: QuantizedMatrix] = [:]) throws {
        try config.validate()
        let shapes = config.parameterShapes
        for (name, matrix) in quantizedWeights {
            guard let expected = shapes.first(where: { $0.name == name })?.shape else {
                throw TensorError.invalidArgument("model has no weight named \(name)")
            }
            guard expected == matrix.shape else {
                throw TensorError.invalidArgument("\(name): quantized shape \(matrix.shape) does not match the configuration's \(expected)")
            }
        }
        self.config = config
        self.quantizedWeights = quantizedWeights
        parameters = ParameterArena(shapes: shapes.filter { quantizedWeights[$0.name] == nil })
        var linears = [String: LinearLayer]()
        for i in 0..<config.layers {
            for name in Self.projectionNames {
                let module = Self.moduleName(layer: i, projection: name)
                if let q = quantizedWeights[module + ".weight"] {
                    precondition(parameters[module + ".bias"] == nil, "\(module): quantized weights with a bias are not supported")
                    linears[module] = QuantizedLinear(weight: q)
                } else {
                    linears[module] = DenseLinear(weight: parameters[module + ".weight"]!, bias: parameters[module + ".bias"])
                }
            }
        }
        self.linears = linears
        blockLayers = Self.blockLayers(linears, layers: config.layers)
        let arena = parameters
        blockNorms = (0..<config.layers).map { i in
            (arena["model.layers.\(i).input_layernorm.weight"]!, arena["model.layers.\(i).post_attention_layernorm.weight"]!)
        }
        let embedName = "model.embed_tokens.weight"
        embedding = quantizedWeights[embedName].map(TokenEmbedding.quantized) ?? .dense(parameters[embedName]!)
        if config.tieWordEmbeddings {
            outputHead = embedding.asLinear
        } else if let q = quantizedWeights["lm_head.weight"] {
            outputHead = QuantizedLinear(weight: q)
        } else {
            outputHead = DenseLinear(weight: parameters["lm_head.weight"]!)
        }
    }

    /// Tensor count per storage type: `F32` for the arena, the GGUF type name for quantized weights.
    public var storageCounts: [String: Int] {
        var counts = ["F32": parameters.tensors.count]
        for matrix in quantizedWeights.values { counts[matrix.type.description, default: 0] += 1 }
        return counts.filter { $0.value > 0 }
    }

    /// Bytes of weights held: float32 arena plus quantized blocks.
    public var weightBytes: Int {
        parameters.count * MemoryLayout<Float>.size + quantizedWeights.values.reduce(0) { $0 + $1.byteCount }
    }

    /// The seven projections of a block, in Hugging Face naming.
    public static let projectionNames = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

    /// `model.layers.{i}.self_attn.q_proj` / `model.layers.{i}.mlp.gate_proj`.
    public static func moduleName(layer: Int, projection: String) -> String {
        let group = ["gate_proj", "up_proj", "down_proj"].contains(projection) ? "mlp" : "self_attn"
        return "model.layers.\(layer).\(group).\(projection)"
    }

    public func parameter(_ name: String) -> Tensor {
        guard let t = parameters[name] else { preconditionFailure("model has no parameter \(name)") }
        return t
    }

    func linear(_ layer: Int, _ projection: String) -> LinearLayer {
        let index: Int? = switch projection {
        case "q_proj": 0
        case "k_proj": 1
        case "v_proj": 2
        case "o_proj": 3
        case "gate_proj": 4
        case "up_proj": 5
        case "down_proj": 6
        default: nil
        }
        if let index, let layer = blockLayers[layer][index] { return layer }
        return linears[Self.moduleName(layer: layer, projection: projection)]!
    }

    /// Block `i`'s RMSNorm weight before attention (`input`) or before the MLP.
    func norm(_ i: Int, input: Bool) -> Tensor { input ? blockNorms[i].input : blockNorms[i].postAttention }

    private static func blockLayers(_ linears: [String: LinearLayer], layers: Int) -> [[LinearLayer?]] {
        (0..<layers).map { i in projectionNames.map { linears[moduleName(layer: i, projection: $0)] } }
    }

    /// Logits `[B·T, V]` for `tokens` (`B` rows of `T` ids, row-major), positions `0..<T`, or
    /// with `packing` several sequences per row (see `hiddenStates`).
    public func logits(tokens: [Int32], batch: Int, packing: PackedSequences? = nil, tape: Tape) -> Tensor {
        outputHead.forward(hiddenStates(tokens: tokens, batch: batch, packing: packing, tape: tape), tape: tape)
    }

    /// Final-normed hidden states `[B·T, C]`. With a `cache` (batch 1), the tokens sit at
    /// positions `cache.length ..< cache.length + T`, attend to every cached position, and their
    /// keys and values are appended to the cache. With `packing` (no cache), each row holds several
    /// sequences: a token attends only within its segment and its position counts from the
    /// segment's start, so each sequence gets the values it would get in a row of its own.
    public func hiddenStates(tokens: [Int32], batch: Int, cache: KVCache? = nil, packing: PackedSequences? = nil, tape: Tape) -> Tensor {
        precondition(batch > 0 && tokens.count % batch == 0, "logits: \(tokens.count) tokens do not split into \(batch) rows")
        precondition(cache == nil || batch == 1, "a KV cache serves one sequence (batch 1)")
        precondition(cache == nil || packing == nil, "a KV cache serves one sequence, not packed rows")
        let t = tokens.count / batch
        precondition(packing == nil || (packing!.rows == batch && packing!.tokens == t),
                     "packing of \(packing?.rows ?? 0) × \(packing?.tokens ?? 0) tokens does not fit \(batch) rows of \(t)")
        let start = cache?.length ?? 0
        let c = config
        let rope = packing.map { RotaryKernel.Table<Float>(positions: $0.positions, headDim: c.headDim, base: c.ropeTheta, perToken: true) }
            ?? RotaryKernel.Table<Float>(positions: Array(start..<(start + t)), headDim: c.headDim, base: c.ropeTheta)
        var x = embedding.forward(tokens, tape: tape)
        for i in 0..<c.layers {
            if gradientCheckpointing && cache == nil && tape.isRecording {
                let generators = dropoutGenerators(layer: i)
                var afterForward = generators
                x = tape.checkpoint(x, prepareRecompute: { [unowned self] in
                    afterForward = self.dropoutGenerators(layer: i)
                    self.setDropoutGenerators(generators, layer: i)
                }, finishRecompute: { [unowned self] in
                    self.setDropoutGenerators(afterForward, layer: i)
                }) { [unowned self] x, tape in
                    self.block(i, x, batch: batch, tokens: t, rope: rope, cache: nil, packing: packing, tape: tape)
                }
            } else {
                x = block(i, x, batch: batch, tokens: t, rope: rope, cache: cache, packing: packing, tape: tape)
            }
        }
        cache?.advance(by: t)
        return tape.rmsNorm(x, weight: parameter("model.norm.weight"), eps: c.rmsNormEps)
    }

    /// One decoder block: `x + attention(RMSNorm(x))`, then `+ mlp(RMSNorm(·))`, `[B·T, C]` → `[B·T, C]`.
    private func block(_ i: Int, _ x: Tensor, batch: Int, tokens t: Int, rope: RotaryKernel.Table<Float>, cache: KVCache?,
                       packing: PackedSequences?, tape: Tape) -> Tensor {
        let c = config
        let h = tape.rmsNorm(x, weight: norm(i, input: true), eps: c.rmsNormEps)
        let qkv = SharedInputProjections.forward(["q_proj", "k_proj", "v_proj"].map { linear(i, $0) }, h, tape: tape)
        let q = tape.rotary(tape.reshape(qkv[0], [batch, t, c.heads, c.headDim]), table: rope, layout: c.ropeLayout)
        var k = tape.rotary(tape.reshape(qkv[1], [batch, t, c.kvHeads, c.headDim]), table: rope, layout: c.ropeLayout)
        var v = tape.reshape(qkv[2], [batch, t, c.kvHeads, c.headDim])
        releaseIfUnread(h, by: ["q_proj", "k_proj", "v_proj"], layer: i, tape: tape)
        if let cache { (k, v) = cache.append(layer: i, keys: k, values: v) }
        // With a cache this is generation (never recorded): the direct kernel, all heads in parallel.
        let attended = tape.reshape(tape.attention(q: q, k: k, v: v, direct: cache != nil, packing: packing), [batch * t, c.heads * c.headDim])
        let x = tape.add(x, linear(i, "o_proj").forward(attended, tape: tape))
        releaseIfUnread(attended, by: ["o_proj"], layer: i, tape: tape)
        let h2 = tape.rmsNorm(x, weight: norm(i, input: false), eps: c.rmsNormEps)
        let gateUp = SharedInputProjections.forward([linear(i, "gate_proj"), linear(i, "up_proj")], h2, tape: tape)
        let gated = tape.swiglu(gate: gateUp[0], up: gateUp[1])
        releaseIfUnread(h2, by: ["gate_proj", "up_proj"], layer: i, tape: tape)
        let out = tape.add(x, linear(i, "down_proj").forward(gated, tape: tape))
        releaseIfUnread(gated, by: ["down_proj"], layer: i, tape: tape)
        return out
    }

    /// Hands back an activation's values once block `i`'s projections `consumers` have run, when
    /// the forward is recorded and none of them reads its input in backward (frozen projections:
    /// `LinearLayer.readsInputInBackward`). Then no recorded step reads those values again: the
    /// norms, SwiGLU and attention read their own inputs in backward, never their outputs, and a
    /// frozen projection needs only its weight and its output's gradient. For LoRA q,v on SmolLM2
    /// that is the attention output, the MLP norm's output and the gated MLP activation of every
    /// layer: 26% of the activations a step held until backward. `Estimator` counts the same.
    private func releaseIfUnread(_ x: Tensor, by consumers: [String], layer i: Int, tape: Tape) {
        guard tape.isRecording, x.requiresGrad, consumers.allSatisfy({ !linear(i, $0).readsInputInBackward }) else { return }
        x.storage.releaseValues()
    }

    /// The dropout generators of block `i`'s LoRA layers, in projection order (checkpointing
    /// replays a block with the masks its forward drew).
    private func dropoutGenerators(layer i: Int) -> [RandomGenerator?] {
        Self.projectionNames.map { (linear(i, $0) as? LoRALinear)?.dropoutGenerator }
    }

    private func setDropoutGenerators(_ generators: [RandomGenerator?], layer i: Int) {
        for (name, generator) in zip(Self.projectionNames, generators) {
            if let generator, let lora = linear(i, name) as? LoRALinear { lora.dropoutGenerator = generator }
        }
    }

    /// The training objective: the same value as `loss(...).loss`, computed through
    /// `Tape.linearCrossEntropy` so the `[B·T, V]` logits and their gradient are never whole in
    /// memory (`lossChunkRows` rows at a time).
    public func trainingLoss(tokens: [Int32], labels: [Int32], batch: Int, packing: PackedSequences? = nil, tape: Tape) -> (loss: Tensor, valid: Int) {
        precondition(labels.count == tokens.count, "loss: \(labels.count) labels for \(tokens.count) tokens")
        let hidden = hiddenStates(tokens: tokens, batch: batch, packing: packing, tape: tape)
        let rows = lossChunkRows ?? max(16, (8 << 20) / max(config.vocabSize, 1))
        let targets = Self.shiftedTargets(labels: labels, batch: batch)
        // A plain or quantized head is expanded to float32 once for all chunks (a quantized one
        // would otherwise be dequantized again per chunk); a dense head's own weight keeps its
        // gradient. A wrapped head (LoRA on lm_head) runs as itself.
        // In bf16 numerics a GGUF-block head keeps its bf16 packing across steps (`bf16Cache`), as
        // the projections do: the same product as the expanded head below, packed once.
        if Numerics.mode == .bf16, let quantized = outputHead as? QuantizedLinear {
            let n = quantized.outFeatures
            return tape.linearCrossEntropy(hidden, targets: targets, chunkRows: rows, projectionIsTrainable: false) { x, tape in
                frozenProjection(x, outFeatures: n, tape: tape, bf16Cache: quantized.bf16Cache) { quantized.dequantize(into: $0) }
            }
        }
        guard let dense = outputHead as? DenseWeightLinear, dense.bias == nil else {
            let head = outputHead
            return tape.linearCrossEntropy(hidden, targets: targets, chunkRows: rows) { x, tape in head.forward(x, tape: tape) }
        }
        let weight = dense.denseWeight()
        return tape.linearCrossEntropy(hidden, targets: targets, chunkRows: rows, projectionIsTrainable: weight.requiresGrad) { x, tape in
            tape.linear(x, weight)
        }
    }

    /// Causal-LM loss in the Hugging Face convention: logits at position `t` predict `labels[t+1]`
    /// within each row; label −100 is ignored; the mean runs over the counted positions. Packed
    /// rows carry no label across a segment boundary (the batch builder ignores those targets).
    public func loss(tokens: [Int32], labels: [Int32], batch: Int, packing: PackedSequences? = nil, tape: Tape) -> (loss: Tensor, logits: Tensor, valid: Int) {
        precondition(labels.count == tokens.count, "loss: \(labels.count) labels for \(tokens.count) tokens")
        let logits = self.logits(tokens: tokens, batch: batch, packing: packing, tape: tape)
        let targets = Self.shiftedTargets(labels: labels, batch: batch)
        let (loss, valid) = tape.crossEntropy(logits, targets: targets)
        return (loss, logits, valid)
    }

    /// `targets[b, t] = labels[b, t + 1]`, and −100 at each row's last position.
    public static func shiftedTargets(labels: [Int32], batch: Int) -> [Int32] {
        let t = labels.count / batch
        var targets = [Int32](repeating: CrossEntropyKernel.ignoreIndex, count: labels.count)
        for b in 0..<batch { for i in 0..<(t - 1) { targets[b * t + i] = labels[b * t + i + 1] } }
        return targets
    }
}
