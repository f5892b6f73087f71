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
    /// Floating-point operations per optimizer step.
    public var flopsPerStep: Double
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
///             + H·D + H·T    attention output and softmax probabilities (one row of T per head)
///             + 2C           o_proj output, residual sum
///             + C            MLP RMSNorm output
///             + 3F           gate, up, silu(gate)·up
///             + 2C           down_proj output, residual sum
///             + Σ_targets (2·out + 2r [+ in with dropout])   LoRA: base output, update, A·x, s·A·x
///     a_head  = 2C           final norm output and its gradient (the loss is chunked: logits live
///                            one chunk at a time, `2 · 2²³` floats of logits and their gradient)
///
/// Backward frees each activation's gradient once used, so about one layer's worth of gradients
/// is alive on top: `B·T·(L·a_layer + a_layer + a_head)`. With gradient checkpointing only each
/// layer's input is kept and one layer is recomputed at a time: `B·T·(L·C + 2·a_layer + a_head)`.
/// Workspace: the chunked loss, and for a quantized base the largest matrix dequantized to fp32 at
/// once. Not modelled: the process's code, the allocator, tokenizer and data (~70 MB here).
///
/// **FLOPs.** A forward pass costs `F = 2·P_mm + 2·L·T·H·D` per token: two per multiply-add of the
/// projections and output head (`P_mm`), plus the causal attention products QKᵀ and PV (each
/// 2·(T/2)·H·D per token and layer on average). Full fine-tuning: forward + backward for
/// activations + backward for weights ≈ 3F ≈ 6·N per token. LoRA/QLoRA skip the frozen weight
/// gradients: ≈ 2F ≈ 4·N per token (+ 6 per adapter parameter). Checkpointing adds one forward.
/// Time per step = FLOPs / (GFLOP/s · 10⁹), or tokens per step / (tokens/s).
public enum Estimator {
    /// Floats of logits (and as many of their gradient) the chunked loss holds at once.
    public static let lossChunkValues = 1 << 23

    /// Bytes per parameter of an NF4 base, `(4 + c) / 8`.
    public static func nf4BytesPerParameter(doubleQuantization: Bool) -> Double {
        (4 + (doubleQuantization ? 0.127 : 0.5)) / 8
    }

    /// Activation values saved per token: `(per layer, head)`; see the type's documentation.
    public static func activationValues(_ shape: ModelShape, _ setup: TrainingSetup) -> (layer: Int, head: Int) {
        let (c, attention, kv) = (shape.hidden, shape.heads * shape.headDim, shape.kvHeads * shape.headDim)
        var layer = c + 2 * attention + 3 * kv + attention + shape.heads * setup.sequence + 2 * c + c + 3 * shape.intermediate + 2 * c
        if setup.method != .full {
            for target in setup.loraTargets {
                layer += 2 * target.outputs(shape) + 2 * setup.loraRank + (setup.loraDropout ? target.inputs(shape) : 0)
            }
        }
        return (layer, 2 * c)
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
        var workspace = 4 * 2 * Double(lossChunkValues)
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
        if setup.method == .qlora || quantizedBase {
            var largest = LoRATarget.allCases.map { $0.inputs(shape) * $0.outputs(shape) }.max() ?? 0
            if quantizedBase { largest = max(largest, shape.vocab * shape.hidden) }
            workspace += 4 * Double(largest)
        }

        let tokens = Double(setup.tokensPerMicroBatch)
        let values = activationValues(shape, setup)
        let perToken = setup.gradientCheckpointing
            ? Double(shape.layers * shape.hidden + 2 * values.layer + values.head)
            : Double(shape.layers * values.layer + values.layer + values.head)
        let memory = MemoryEstimate(weights: weights, gradients: 4 * Double(trainable), optimizer: 8 * Double(trainable),
                                    activations: 4 * tokens * perToken, workspace: workspace)

        let forward = 2 * Double(shape.matmulParameters)
            + 2 * Double(shape.layers * setup.sequence * shape.heads * shape.headDim)
        var perTokenFlops = setup.method == .full ? 3 * forward : 2 * forward + 6 * Double(adapters)
        if setup.gradientCheckpointing { perTokenFlops += forward }
        let stepTokens = Double(setup.tokensPerStep)
        let flops = perTokenFlops * stepTokens

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
                                ruleOfThumb: RuleOfThumb(modelSize: 4 * n), flopsPerStep: flops,
                                secondsPerStep: secondsPerStep, secondsPerEpoch: secondsPerEpoch)
    }
}
