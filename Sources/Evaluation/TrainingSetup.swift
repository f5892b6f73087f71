/// What is being planned: method, adapter settings, batch shape and memory savers.
public struct TrainingSetup: Sendable, Equatable, Codable {
    public var method: FineTuningMethod
    /// LoRA rank r (LoRA and QLoRA).
    public var loraRank: Int
    /// Adapted projections (LoRA and QLoRA); PEFT's Llama default is q and v.
    public var loraTargets: [LoRATarget]
    /// QLoRA: quantize the block constants too (0.127 instead of 0.5 bit per parameter).
    public var doubleQuantization: Bool
    /// Keep only each layer's input and recompute the layer in the backward pass.
    public var gradientCheckpointing: Bool
    /// Micro-batch size B (sequences per forward pass).
    public var batch: Int
    /// Sequence length T (tokens per sequence).
    public var sequence: Int
    /// Gradient accumulation: micro-batches per optimizer step (time, not memory).
    public var accumulation: Int
    /// Dropout on the adapters' inputs (LoRA/QLoRA): each adapted projection keeps a masked copy
    /// of its input.
    public var loraDropout: Bool = false
    /// Bytes the frozen base really occupies when it is not float32 (a GGUF file's Q4_1 blocks,
    /// say); `nil` means 4 bytes per parameter. QLoRA adds its NF4 copy on top (the originals are
    /// kept for merging).
    public var baseWeightBytes: Double?
    /// Threads the engine may run attention's `(sequence, kv head)` units on at once, each holding
    /// its own scratch (`AttentionKernel` in Attune's GEMM: the machine's cores; 1 when OpenBLAS
    /// runs the products); `UnitThreads` says how many it uses for a batch.
    public var attentionThreads: Int = 1

    public init(method: FineTuningMethod, loraRank: Int = 8, loraTargets: [LoRATarget] = [.q, .v],
                doubleQuantization: Bool = true, gradientCheckpointing: Bool = false,
                batch: Int = 1, sequence: Int = 512, accumulation: Int = 1) {
        self.method = method
        self.loraRank = loraRank
        self.loraTargets = loraTargets
        self.doubleQuantization = doubleQuantization
        self.gradientCheckpointing = gradientCheckpointing
        self.batch = batch
        self.sequence = sequence
        self.accumulation = accumulation
    }

    /// Tokens in one forward pass, B·T.
    public var tokensPerMicroBatch: Int { batch * sequence }
    /// Tokens per optimizer step, B·T·accumulation.
    public var tokensPerStep: Int { batch * sequence * accumulation }
}

/// Measured speed of this machine, to turn FLOPs into time.
public enum Throughput: Sendable, Equatable, Codable {
    /// Training tokens per second, measured for this model and method (the most direct).
    case tokensPerSecond(Double)
    /// Sustained matrix-product speed in GFLOP/s (e.g. `doctor`'s sgemm figure times an efficiency).
    case gflops(Double)
}
