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
            "  parameters \(NumberText.short(Double(totalParameters))), trainable \(NumberText.short(Double(trainableParameters))) (\(NumberText.short(share * 100))%)",
            "  weights \(NumberText.bytes(memory.weights)), gradients \(NumberText.bytes(memory.gradients)), optimizer \(NumberText.bytes(memory.optimizer)), activations \(NumberText.bytes(memory.activations))"
                + (memory.workspace > 0 ? ", workspace \(NumberText.bytes(memory.workspace))" : ""),
            "  total \(NumberText.bytes(memory.total)); guide's rule of thumb \(NumberText.bytes(ruleOfThumb.value(for: setup.method)))",
        ]
        var time = "  \(NumberText.short(flopsPerStep)) FLOPs per step"
        if let secondsPerStep { time += ", \(NumberText.duration(secondsPerStep)) per step" }
        if let secondsPerEpoch { time += ", \(NumberText.duration(secondsPerEpoch)) per epoch" }
        lines.append(time)
        return lines.joined(separator: "\n")
    }
}

/// Memory and time of a training setup from the model's shapes.
///
/// **Weights.** Full and LoRA keep the base in fp32 (4 bytes per parameter). QLoRA stores the
/// seven projections of every layer in NF4 with blocks of 64: `N_lin × (4 + c) / 8` bytes with
/// c = 0.5 bit of block constants, or 0.127 with double quantization; embeddings, output head and
/// norms stay fp32. Adapters are fp32 and count as weights.
///
/// **Gradients and optimizer.** fp32 gradient (4 bytes) and AdamW's two moments (8 bytes) per
/// trainable parameter: all N for full, the adapters for LoRA/QLoRA.
///
/// **Activations** (fp32, per token of the micro-batch), saved for the backward pass in each layer:
///
///     a_layer = 2C          attention RMSNorm input and output
///             + H·D + 2·K·D q after RoPE, k after RoPE, v
///             + H·T         softmax probabilities (one row of T per head; causal zeros kept)
///             + H·D         attention context (o_proj input)
///             + 2C          MLP RMSNorm input (the residual stream) and output
///             + 3F          gate and up outputs, and silu(gate)·up (down_proj input)
///             + r·|targets| LoRA intermediates A·x (LoRA/QLoRA)
///     a_head  = 2C + 2V     final norm, logits, and their softmax / gradient buffer
///
/// Without checkpointing: `B·T·(L·a_layer + a_head)` values. With gradient checkpointing only each
/// layer's input is kept and one layer is recomputed at a time: `B·T·(L·C + a_layer + a_head)`.
/// Not modelled: allocator overhead, the process's code and buffers, tokenizer and data.
///
/// **FLOPs.** A forward pass costs `F = 2·P_mm + 2·L·T·H·D` per token: two per multiply-add of the
/// projections and output head (`P_mm`), plus the causal attention products QKᵀ and PV (each
/// 2·(T/2)·H·D per token and layer on average). Full fine-tuning: forward + backward for
/// activations + backward for weights ≈ 3F ≈ 6·N per token. LoRA/QLoRA skip the frozen weight
/// gradients: ≈ 2F ≈ 4·N per token (+ 6 per adapter parameter). Checkpointing adds one forward.
/// Time per step = FLOPs / (GFLOP/s · 10⁹), or tokens per step / (tokens/s).
public enum Estimator {
    /// Bytes per parameter of an NF4 base, `(4 + c) / 8`.
    public static func nf4BytesPerParameter(doubleQuantization: Bool) -> Double {
        (4 + (doubleQuantization ? 0.127 : 0.5)) / 8
    }

    /// Activation values saved per token: `(per layer, head)`; see the type's documentation.
    public static func activationValues(_ shape: ModelShape, _ setup: TrainingSetup) -> (layer: Int, head: Int) {
        let attention = shape.heads * shape.headDim
        let kv = shape.kvHeads * shape.headDim
        var layer = 2 * shape.hidden + attention + 2 * kv + shape.heads * setup.sequence + attention
            + 2 * shape.hidden + 3 * shape.intermediate
        if setup.method != .full { layer += setup.loraRank * setup.loraTargets.count }
        return (layer, 2 * shape.hidden + 2 * shape.vocab)
    }

    /// Plans a setup for a model. `throughput` turns FLOPs into time; `datasetTokens` (tokens per
    /// epoch) gives the epoch time.
    public static func estimate(_ shape: ModelShape, _ setup: TrainingSetup,
                                throughput: Throughput? = nil, datasetTokens: Int? = nil) -> TrainingEstimate {
        let n = Double(shape.parameterCount)
        let adapters = setup.method == .full ? 0 : shape.loraParameters(rank: setup.loraRank, targets: setup.loraTargets)
        let trainable = setup.method == .full ? shape.parameterCount : adapters

        let weights: Double
        var workspace = 0.0
        switch setup.method {
        case .full, .lora:
            weights = 4 * n + 4 * Double(adapters)
        case .qlora:
            let quantized = Double(shape.layers * shape.linearParametersPerLayer)
            weights = quantized * nf4BytesPerParameter(doubleQuantization: setup.doubleQuantization)
                + 4 * (n - quantized) + 4 * Double(adapters)
            let largest = LoRATarget.allCases.map { $0.inputs(shape) * $0.outputs(shape) }.max() ?? 0
            workspace = 4 * Double(largest)
        }

        let tokens = Double(setup.tokensPerMicroBatch)
        let values = activationValues(shape, setup)
        let perToken = setup.gradientCheckpointing
            ? Double(shape.layers * shape.hidden + values.layer + values.head)
            : Double(shape.layers * values.layer + values.head)
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
