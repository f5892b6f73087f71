import CKernels

/// Which matrix products `numerics=bf16` runs in bfloat16, and the bf16 arithmetic itself.
///
/// In bfloat16 (`attune_gemm_bf16`: both operands rounded to bf16, sums in fp32 in `vdpbf16ps`
/// order, the result stored as fp32) — every product with a **frozen weight** `W [out, in]`:
///
/// ```
/// forward   y[N, out] = x[N, in] · Wᵀ          bf16(x), bf16(W)
/// backward  dx[N, in] += dy[N, out] · W         bf16(dy), bf16(W)
/// ```
/// That is the base projections of LoRA and QLoRA (q, k, v, o, gate, up, down; dense, GGUF-block
/// or NF4 weights, rounded after dequantization) and a frozen output head, in training, evaluation
/// and generation alike (`Tape.linear` with a weight without `requiresGrad`, `frozenProjection`).
/// And attention's products, as PyTorch's autocast runs scaled dot-product attention
/// (`AttentionKernel`, `KernelScalar.attentionGEMM`), wherever they run as GEMMs (training and
/// evaluation; generation's direct kernel over the KV cache stays fp32):
///
/// ```
/// forward   s = scale · q·kᵀ,  o = p·v                  bf16(q), bf16(k); bf16(p), bf16(v)
/// backward  dp = do·vᵀ, dv += pᵀ·do, dq += scale · ds·k, dk += scale · dsᵀ·q   (each operand bf16)
/// ```
///
/// In fp32 (the reproducible GEMM), unchanged: products with a trainable weight (LoRA's A and B,
/// every weight in full fine-tuning: forward, `dx` and `dW`), merging an adapter, and every other
/// kernel (norms, softmax, SiLU, cross-entropy, the optimizer). Master weights, trainable
/// parameters, gradients, optimizer state and the loss are fp32, and every product's output.
///
/// PyTorch's CPU autocast rounds every `linear` (trainable weights and LoRA's too) and returns bf16
/// outputs. Attune keeps the trainable products exact — the parameter being learned and its
/// gradient are never rounded, and at rank 16 they are about 1% of a LoRA step's FLOPs, too narrow
/// to gain from bf16 — and keeps every GEMM's output in fp32.
public enum BF16Products {
    /// `x` rounded to bfloat16 to nearest even, as PyTorch's `.to(torch.bfloat16)` (overflow gives
    /// ±inf, fp32 denormals round like any value, every NaN becomes 0x7FC0).
    public static func round(_ x: Float) -> UInt16 { attune_bf16_round(x) }

    /// The bfloat16 `h` as fp32 (exact).
    public static func widen(_ h: UInt16) -> Float { attune_bf16_widen(h) }

    /// One fp32 lane of `vdpbf16ps`: `acc + a1·b1`, then `+ a0·b0`, each step rounded once to
    /// nearest even, bf16 denormals (and a denormal `acc`) read as zero, results below 2^-126
    /// flushed to zero of their sign (gemm_bf16.h gives the full definition).
    public static func dotPair(_ acc: Float, a: (UInt16, UInt16), b: (UInt16, UInt16)) -> Float {
        attune_bf16_dot_pair(acc, a.0, a.1, b.0, b.1)
    }
}
