import Essentials
import Foundation

/// The result of `Estimator.estimate`: parameters, memory, FLOPs and (given a throughput) time.
public struct TrainingEstimate: Sendable, Equatable, Codable {
    public var shape: ModelShape
    public var setup: TrainingSetup
    public var totalParameters: Int
    public var trainableParameters: Int
    public var memory: MemoryEstimate
    public var ruleOfThumb: RuleOfThumb
    /// Floating-point operations per optimizer step, as the engine executes them.
    public var flopsPerStep: Double
    /// The part of `flopsPerStep` in attention's products (`QKᵀ`, `PV` and their gradients).
    public var attentionFlopsPerStep: Double
    /// Seconds per optimizer step, when a throughput was given.
    public var secondsPerStep: Double?
    /// Seconds per epoch, when a throughput and the dataset's token count were given.
    public var secondsPerEpoch: Double?

    /// A few plain lines for the `estimate` command.
    public var text: String {
        var method = setup.method.displayName
        if setup.method != .full {
            method += " r=\(setup.loraRank) [\(setup.loraTargets.map(\.rawValue).joined(separator: ", "))]"
        }
        if setup.method == .qlora { method += setup.doubleQuantization ? " NF4+double quant" : " NF4" }
        if setup.gradientCheckpointing { method += ", gradient checkpointing" }
        let share = Double(trainableParameters) / Double(totalParameters)
        var lines = [
            "estimate \(shape.name), \(method), batch \(setup.batch) × \(setup.sequence) tokens"
                + (setup.accumulation > 1 ? " × \(setup.accumulation) accumulated" : ""),
            "  parameters \(NumberText.significant(Double(totalParameters))), trainable \(NumberText.significant(Double(trainableParameters))) (\(NumberText.significant(share * 100))%)",
            "  weights \(NumberText.bytes(memory.weights)), gradients \(NumberText.bytes(memory.gradients)), optimizer \(NumberText.bytes(memory.optimizer)), activations \(NumberText.bytes(memory.activations))"
                + (memory.workspace > 0 ? ", workspace \(NumberText.bytes(memory.workspace))" : ""),
            "  total \(NumberText.bytes(memory.total)); guide's rule of thumb \(NumberText.bytes(ruleOfThumb.value(for: setup.method)))",
        ]
        var time = "  \(NumberText.significant(flopsPerStep)) FLOPs per step"
        if let secondsPerStep { time += ", \(NumberText.duration(secondsPerStep)) per step" }
        if let secondsPerEpoch { time += ", \(NumberText.duration(secondsPerEpoch)) per epoch" }
        lines.append(time)
        return lines.joined(separator: "\n")
    }
}

/// Memory and time of a training setup from the model's shapes, as Attune's engine trains it.
///
/// **Weights.** The base in fp32 (4 bytes per parameter), or the bytes it really occupies when
/// loaded quantized (`baseWeightBytes`, a GGUF file's blocks). QLoRA stores the seven projections
/// of every layer in NF4 with blocks of 64: `N_lin × (4 + c) / 8` bytes with c = 0.5 bit of block
/// constants, or 0.127 with double quantization; embeddings, output head and norms stay as they
/// were (a quantized original is kept too, for merging). Adapters are fp32 and count as weights.
///
/// **Gradients and optimizer.** fp32 gradient (4 bytes) and AdamW's two moments (8 bytes) per
/// trainable parameter: all N for full, the adapters for LoRA/QLoRA.
///
/// **Activations** (fp32, per token of the micro-batch): what the tape keeps for backward in each
/// layer, operation by operation:
///
///     a_layer = C            attention RMSNorm output
///             + 2·H·D + 3·K·D q, k projections and their RoPE outputs, v
///             + H·D          attention output (no probabilities: backward recomputes them)
///             + 2C           o_proj output, residual sum
///             + C            MLP RMSNorm output
///             + 3F           gate, up, silu(gate)·up
///             + 2C           down_proj output, residual sum
///             + Σ_targets (2r [+ in with dropout])   LoRA: A·x, s·A·x (the update is added into
///                                                    the base output in place; above r = 256 the
///                                                    base output and update are kept too: + 2·out)
///             − what only frozen projections read: the attention norm's output (C) unless q, k
///               or v is a target, the attention output (H·D) unless o is, the MLP norm's output
///               (C) unless gate or up is, and silu(gate)·up (F) unless down is (a target with
///               dropout reads its masked copy instead): the engine hands those back in forward.
///               For LoRA q,v: C + H·D + F fewer per layer. Full fine-tuning reads them all.
///     a_head  = 3C           final norm output, its gradient, and the hidden state's gradient
///                            (the loss is chunked: logits live one chunk at a time, at most
///                            `2 · 2²³` floats of logits and their gradient)
///
/// The peak comes as backward starts: every layer's activations and the head's,
/// `B·T·(L·a_layer + a_head)` (backward frees each gradient once used and each activation once
/// its step has run, so nothing grows from there). With gradient checkpointing only each layer's
/// input is kept and one layer is recomputed at a time: `B·T·(L·C + a_layer + a_head)`.
/// Workspace: the chunked loss, or — when larger — one head's probabilities and their gradient
/// per attention thread while attention runs backward (`2·T²` floats each, less what the last
/// layer freed before it); and
/// for a quantized base the largest matrix dequantized to fp32 at once. Not modelled: the process's code, the allocator, tokenizer and data (~70 MB here).
/// Checked against the engine's own account of its tensors (`TensorMemory`) by
/// `EstimateAgainstEngineTests`, and against SmolLM2 runs (`attune bench train`).
///
/// **FLOPs**, as the engine executes them. The projections and output head cost `2·P_mm` per
/// token forward, `2·P_mm` backward for the activations' gradients and, for full fine-tuning,
/// `2·P_mm` more for the weights' (LoRA/QLoRA skip the frozen weight gradients and add about 6
/// per adapter parameter). Attention runs its products over `T_k` keys per query, `T_k` the
/// average of the engine's causal blocks (`attentionKeysPerQuery`: all T up to 256 tokens, then
/// each block of 256 queries over the keys its last row sees, about T/2 + 128): forward `QKᵀ` and
/// `PV` cost `4·H·D·T_k` per token and layer, backward recomputes `QKᵀ` and runs `dP`, `dV`,
/// `dQ`, `dK`: `10·H·D·T_k`. Checkpointing adds one forward.
/// Time per step = FLOPs / (GFLOP/s · 10⁹), or tokens per step / (tokens/s); `timeSeconds`
/// weighs the attention part by its lower GEMM efficiency.
public enum Estimator {
    /// Floats of logits (and as many of their gradient) the chunked loss holds at once, at most:
    /// whole rows of `max(16, 2²³ / vocab)` (`LlamaModel.trainingLoss`), or every row when fewer.
    public static let lossChunkValues = 1 << 23

    /// Query rows per causal block of the engine's attention (`AttentionKernel.causalBlockRows`,
    /// the GEMM's fixed K block; a test checks they agree).
    public static let attentionBlockRows = 256

    /// The widest LoRA rank whose update the engine adds into the base projection's output in
    /// place (`Tape.addLinear`: one K block of the GEMM, `ATTUNE_GEMM_KC`).
    public static let fusedLoRARankLimit = 256

    /// Keys each query's attention products run over on average, `T_k`: all `T` while the
    /// sequence fits one block, else `Σ_blocks rows · (keys its last row sees) / T`.
    public static func attentionKeysPerQuery(sequence t: Int) -> Double {
        guard t > attentionBlockRows else { return Double(t) }
        let total = stride(from: 0, to: t, by: attentionBlockRows).reduce(0) { sum, start in
            let end = min(start + attentionBlockRows, t)
            return sum + (end - start) * end
        }
        return Double(total) / Double(t)
    }

    /// Shares of the measured sgemm speed a training step sustains, for the projections (with the
    /// norms, SwiGLU and rotary between them) and for attention (products of `Tq × Tk × 64` per
    /// head, with the softmax between them). Fitted to SmolLM2 LoRA q,v on a Zen 4 at 2 threads,
    /// each step against the sgemm measured in the same process (2026-12-05, after SwiGLU was
    /// vectorised): 3.58 and 3.66 s per step at 4 × 256 (557 GFLOP of projections, 63 of
    /// attention; sgemm 191 and 212 GFLOP/s, their mean taken) and 10.94 s at 1 × 2048 (1,113 and
    /// 571; sgemm 207) give 0.90 and 0.55. At one thread attention's share is larger (no second
    /// core idling in its 64-wide products): the estimate runs high.
    public static let projectionEfficiency = 0.90
    public static let attentionEfficiency = 0.55

    /// Seconds per step at a measured sgemm speed `gflops`: the projections at
    /// `projectionEfficiency` of it, attention at `attentionEfficiency`.
    public static func timeSeconds(_ estimate: TrainingEstimate, sgemmGFLOPs gflops: Double) -> Double {
        let attention = estimate.attentionFlopsPerStep
        return ((estimate.flopsPerStep - attention) / projectionEfficiency + attention / attentionEfficiency) / (gflops * 1e9)
    }

    /// Bytes per parameter of an NF4 base, `(4 + c) / 8`.
    public static func nf4BytesPerParameter(doubleQuantization: Bool) -> Double {
        (4 + (doubleQuantization ? 0.127 : 0.5)) / 8
    }

    /// Activation values saved per token: `(per layer, head)`; see the type's documentation.
    public static func activationValues(_ shape: ModelShape, _ setup: TrainingSetup) -> (layer: Int, head: Int) {
        let (c, attention, kv) = (shape.hidden, shape.heads * shape.headDim, shape.kvHeads * shape.headDim)
        var layer = c + 2 * attention + 3 * kv + attention + 2 * c + c + 3 * shape.intermediate + 2 * c
        // An input that only frozen projections read is handed back once they have run (their
        // backward needs only the weight): a projection reads its input in backward when it
        // trains (full) or is a LoRA target without dropout (with dropout, its masked copy).
        let reads = { (target: LoRATarget) in
            setup.method == .full || (setup.loraTargets.contains(target) && !setup.loraDropout)
        }
        var handedBack = 0
        if ![LoRATarget.q, .k, .v].contains(where: reads) { handedBack += c }   // attention RMSNorm output
        if !reads(.o) { handedBack += attention }                                // attention output
        if !reads(.gate) && !reads(.up) { handedBack += c }                      // MLP RMSNorm output
        if !reads(.down) { handedBack += shape.intermediate }                     // silu(gate)·up
        layer -= handedBack
        if setup.method != .full {
            for target in setup.loraTargets {
                // The update goes into the base output in place (`Tape.addLinear`) up to rank 256;
                // wider, the base output and the update are kept beside their sum.
                let unfused = setup.loraRank > fusedLoRARankLimit ? 2 * target.outputs(shape) : 0
                layer += unfused + 2 * setup.loraRank + (setup.loraDropout ? target.inputs(shape) : 0)
            }
        }
        return (layer, 3 * c)
    }

    /// Plans a setup for a model. `throughput` turns FLOPs into time; `datasetTokens` (tokens per
    /// epoch) gives the epoch time.
    public static func estimate(_ shape: ModelShape, _ setup: TrainingSetup,
                                throughput: Throughput? = nil, datasetTokens: Int? = nil) -> TrainingEstimate {
        let n = Double(shape.parameterCount)
        let adapters = setup.method == .full ? 0 : shape.loraParameters(rank: setup.loraRank, targets: setup.loraTargets)
        let trainable = setup.method == .full ? shape.parameterCount : adapters
        let quantizedBase = setup.method != .full && setup.baseWeightBytes.map { $0 < 4 * n } == true

        var weights: Double
        // The chunked loss: `lossChunkRows` rows of logits and their gradient at a time.
        let chunkRows = min(setup.tokensPerMicroBatch, max(16, lossChunkValues / max(shape.vocab, 1)))
        var workspace = 4 * 2 * Double(chunkRows * shape.vocab)
        switch setup.method {
        case .full:
            weights = 4 * n
        case .lora:
            weights = (setup.baseWeightBytes ?? 4 * n) + 4 * Double(adapters)
        case .qlora:
            let quantized = Double(shape.layers * shape.linearParametersPerLayer)
            let nf4 = quantized * nf4BytesPerParameter(doubleQuantization: setup.doubleQuantization)
            weights = (setup.baseWeightBytes.map { $0 + nf4 } ?? (nf4 + 4 * (n - quantized))) + 4 * Double(adapters)
        }
        // Attention's backward holds one head's probabilities and their gradient (`2·T²` floats)
        // per thread running a (sequence, kv head) unit while it runs, by which time the last
        // layer's MLP and output projection have handed back about `3F + 3C` floats per token:
        // the peak is the larger of the two moments.
        let attentionThreads = UnitThreads.count(units: setup.batch * shape.kvHeads, workers: setup.attentionThreads)
        let attentionScratch = 4 * 2 * Double(attentionThreads * setup.sequence * setup.sequence)
            - 4 * Double(setup.tokensPerMicroBatch * (3 * shape.intermediate + 3 * shape.hidden))
        workspace = max(workspace, attentionScratch)
        if setup.method == .qlora || quantizedBase {
            var largest = LoRATarget.allCases.map { $0.inputs(shape) * $0.outputs(shape) }.max() ?? 0
            if quantizedBase { largest = max(largest, shape.vocab * shape.hidden) }
            workspace += 4 * Double(largest)
        }

        let tokens = Double(setup.tokensPerMicroBatch)
        let values = activationValues(shape, setup)
        let perToken = setup.gradientCheckpointing
            ? Double(shape.layers * shape.hidden + values.layer + values.head)
            : Double(shape.layers * values.layer + values.head)
        let memory = MemoryEstimate(weights: weights, gradients: 4 * Double(trainable), optimizer: 8 * Double(trainable),
                                    activations: 4 * tokens * perToken, workspace: workspace)

        let projections = 2 * Double(shape.matmulParameters)
        let attentionUnit = Double(shape.layers * shape.heads * shape.headDim) * attentionKeysPerQuery(sequence: setup.sequence)
        var perTokenFlops = (setup.method == .full ? 3 * projections : 2 * projections + 6 * Double(adapters))
        var attentionPerToken = 14 * attentionUnit
        if setup.gradientCheckpointing {
            perTokenFlops += projections
            attentionPerToken += 4 * attentionUnit
        }
        let stepTokens = Double(setup.tokensPerStep)
        let attentionFlops = attentionPerToken * stepTokens
        let flops = (perTokenFlops + attentionPerToken) * stepTokens

        var secondsPerStep: Double?
        switch throughput {
        case .tokensPerSecond(let rate)?: secondsPerStep = rate > 0 ? stepTokens / rate : nil
        case .gflops(let rate)?: secondsPerStep = rate > 0 ? flops / (rate * 1e9) : nil
        case nil: secondsPerStep = nil
        }
        var secondsPerEpoch: Double?
        if let secondsPerStep, let datasetTokens {
            secondsPerEpoch = (Double(datasetTokens) / stepTokens).rounded(.up) * secondsPerStep
        }
        return TrainingEstimate(shape: shape, setup: setup, totalParameters: shape.parameterCount,
                                trainableParameters: trainable, memory: memory,
                                ruleOfThumb: RuleOfThumb(modelSize: 4 * n), flopsPerStep: flops, attentionFlopsPerStep: attentionFlops,
                                secondsPerStep: secondsPerStep, secondsPerEpoch: secondsPerEpoch)
    }
}
