import TensorCore

/// A LoRA adapter around a frozen base projection (Hu et al. 2021, as PEFT computes it):
///
/// ```
/// x [N, in] → y [N, out]
/// y = base(x) + s · (dropout(x) · Aᵀ) · Bᵀ
///     A [R, in]   Kaiming-uniform, bound 1/√in (torch kaiming_uniform_(a=√5) on fan_in = in)
///     B [out, R]  zeros, so the wrapped layer starts equal to its base
///     s = alpha / R        (rsLoRA: alpha / √R)
/// ```
/// The base is never edited: gradients reach `A`, `B` and `x` only (the base's weights are
/// frozen). `merged()` folds `s · B · A` into a dense copy of the base weight, `reverted()`
/// returns the base itself.
///
/// Backward (through the tape): with `h = dropout(x) Aᵀ` `[N, R]` and `dy` `[N, out]`,
/// `dB += s · dyᵀ h`, `dh = s · dy B`, `dA += dhᵀ dropout(x)`, `dx += dh A (masked) + base's dx`.
public final class LoRALinear: LinearLayer {
    /// The wrapped projection (frozen).
    public let base: LinearLayer
    /// `A [R, in]`, usually a view into a trainable arena.
    public let a: Tensor
    /// `B [out, R]`, usually a view into a trainable arena.
    public let b: Tensor
    /// The update scale `s` (`alpha / R`, or `alpha / √R` with rsLoRA).
    public let scale: Float
    /// Dropout probability on the adapter's input (PEFT `lora_dropout`).
    public let dropout: Float
    /// Dropout is applied only while training; evaluation and generation see the full input.
    public var isTraining: Bool = true
    /// The generator drawing dropout masks (one per layer, seeded by the method applier).
    public var dropoutGenerator: RandomGenerator

    /// Wraps `base` with existing `a [R, in]` and `b [out, R]` tensors.
    public init(base: LinearLayer, a: Tensor, b: Tensor, scale: Float, dropout: Float = 0,
                dropoutGenerator: RandomGenerator = RandomGenerator(seed: 0, purpose: "lora.dropout")) {
        precondition(a.rank == 2 && b.rank == 2 && a.shape[0] == b.shape[1],
                     "LoRA: A \(a.shape) and B \(b.shape) must be [R, in] and [out, R] with the same R")
        precondition(a.shape[1] == base.inFeatures && b.shape[0] == base.outFeatures,
                     "LoRA: A \(a.shape) / B \(b.shape) do not fit a base of \(base.inFeatures) → \(base.outFeatures)")
        precondition(dropout >= 0 && dropout < 1, "LoRA dropout must be in [0, 1), got \(dropout)")
        self.base = base
        self.a = a
        self.b = b
        self.scale = scale
        self.dropout = dropout
        self.dropoutGenerator = dropoutGenerator
    }

    /// Wraps `base` with new trainable matrices: A Kaiming-uniform from `generator`, B zero.
    public convenience init(base: LinearLayer, rank: Int, alpha: Float, rsLoRA: Bool = false, dropout: Float = 0,
                            generator: inout RandomGenerator) {
        let a = Tensor(zeros: [rank, base.inFeatures], name: "lora_A.weight", requiresGrad: true)
        let b = Tensor(zeros: [base.outFeatures, rank], name: "lora_B.weight", requiresGrad: true)
        Self.initializeA(a, generator: &generator)
        self.init(base: base, a: a, b: b, scale: Self.scale(rank: rank, alpha: alpha, rsLoRA: rsLoRA), dropout: dropout,
                  dropoutGenerator: RandomGenerator(seed: generator.next(), purpose: "lora.dropout"))
    }

    /// `alpha / R`, or `alpha / √R` for rank-stabilised LoRA.
    public static func scale(rank: Int, alpha: Float, rsLoRA: Bool) -> Float {
        precondition(rank > 0, "LoRA rank must be positive, got \(rank)")
        return rsLoRA ? alpha / Float(rank).squareRoot() : alpha / Float(rank)
    }

    /// Fills `a [R, in]` uniformly in `[−1/√in, 1/√in)`: PyTorch's `kaiming_uniform_(a=√5)` gives
    /// gain √(2/(1+5)) = √(1/3) and bound gain·√3/√fan_in = 1/√fan_in.
    public static func initializeA(_ a: Tensor, generator: inout RandomGenerator) {
        precondition(a.rank == 2, "LoRA A must be [R, in], got \(a.shape)")
        let bound = 1 / Float(a.shape[1]).squareRoot()
        let p = a.pointer
        for i in 0..<a.count { p[i] = generator.uniform(-bound, bound) }
    }

    /// `dA` reads the adapter's input: `x` itself, or with dropout its masked copy (then `x` is
    /// read only if the base reads it).
    public var readsInputInBackward: Bool { !usesDropout || base.readsInputInBackward }

    public var rank: Int { a.shape[0] }
    public var inFeatures: Int { base.inFeatures }
    public var outFeatures: Int { base.outFeatures }

    public func forward(_ x: Tensor, tape: Tape) -> Tensor {
        addUpdate(to: base.forward(x, tape: tape), input: x, tape: tape)
    }

    /// Whether `forward` draws a dropout mask on the adapter's input (training with dropout).
    public var usesDropout: Bool { isTraining && dropout > 0 }

    /// `y + s · (dropout(x) · Aᵀ) · Bᵀ` for the base's output `y = base(x)` `[N, out]` (in place).
    func addUpdate(to y: Tensor, input x: Tensor, tape: Tape) -> Tensor {
        let input = usesDropout ? tape.dropout(x, p: dropout, rng: &dropoutGenerator) : x
        let h = tape.linear(input, a)                                   // [N, R]
        let scaled = tape.scale(h, scale)                               // [N, R]  (s folded in before the wide product)
        return tape.addLinear(into: y, scaled, b)                       // y += scaled · Bᵀ  [N, out], in place
    }

    /// The update `ΔW = s · B · A` `[out, in]` as a new tensor.
    public func deltaWeight() -> Tensor {
        let delta = Tensor(zeros: [outFeatures, inFeatures])
        let (out, inF, r) = (outFeatures, inFeatures, rank)
        withExtendedLifetime((a, b)) {
            Float.gemm(transA: false, transB: false, m: out, n: inF, k: r, alpha: scale,
                       a: b.pointer, lda: r, b: a.pointer, ldb: inF, beta: 0, c: delta.pointer, ldc: inF)
        }
        return delta
    }

    /// A dense layer computing the same function: `W' = W + s · B · A` (the base dequantized
    /// first when it is quantized), same bias. The adapter and the base are left untouched.
    public func merged() -> DenseLinear {
        guard let dense = base as? DenseWeightLinear else {
            preconditionFailure("LoRA merge: base \(type(of: base)) cannot produce a dense weight")
        }
        let w = dense.denseWeight()
        let mergedWeight = Tensor(zeros: w.shape, name: w.name)
        mergedWeight.copy(from: w)
        let (out, inF, r) = (outFeatures, inFeatures, rank)
        withExtendedLifetime((a, b)) {
            Float.gemm(transA: false, transB: false, m: out, n: inF, k: r, alpha: scale,
                       a: b.pointer, lda: r, b: a.pointer, ldb: inF, beta: 1, c: mergedWeight.pointer, ldc: inF)
        }
        return DenseLinear(weight: mergedWeight, bias: dense.bias)
    }

    /// The base layer, without the adapter.
    public func reverted() -> LinearLayer { base }
}
