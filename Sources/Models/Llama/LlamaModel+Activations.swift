import Foundation
import TensorCore

/// What one block of a forward pass computed, for inspection (`activations "text"`), one
/// sequence of `T` tokens:
/// ```
/// attention    [H, T, T]  softmax(q·kᵀ/√D + causal mask) per head (row t: query t over keys 0…t)
/// attn_output  [T, C]     attention(q, k, v) Woᵀ, what the block adds to the residual stream first
/// mlp_output   [T, C]     (silu(h Wgᵀ) ⊙ h Wuᵀ) Wdᵀ, what it adds second
/// residual     [T, C]     the residual stream after the block (its output; Hugging Face's
///                         hidden_states[layer + 1], except that Hugging Face returns the
///                         last block's after the final norm)
/// ```
public struct BlockActivations: Sendable {
    public let layer: Int
    public let residual: [Float]
    public let attention: [Float]
    public let attentionOutput: [Float]
    public let mlpOutput: [Float]

    public init(layer: Int, residual: [Float], attention: [Float], attentionOutput: [Float], mlpOutput: [Float]) {
        self.layer = layer
        self.residual = residual
        self.attention = attention
        self.attentionOutput = attentionOutput
        self.mlpOutput = mlpOutput
    }
}

extension LlamaModel {
    /// Runs `tokens` (one sequence, positions `0..<T`) through the model without recording and
    /// keeps the activations of the blocks in `layers`. The residual stream is exactly the one
    /// `hiddenStates` computes; the attention probabilities are recomputed from the same rotated
    /// queries and keys in double precision (query head `h` reads key head `h / (H / K)`).
    public func activations(tokens: [Int32], layers: Set<Int>) -> [BlockActivations] {
        let c = config
        let t = tokens.count
        precondition(t > 0, "activations: no tokens")
        let tape = Tape(recording: false)
        let rope = RotaryKernel.Table<Float>(positions: Array(0..<t), headDim: c.headDim, base: c.ropeTheta)
        var x = embedding.forward(tokens, tape: tape)
        var kept: [BlockActivations] = []
        for i in 0..<c.layers {
            let p = "model.layers.\(i)."
            func linear(_ name: String) -> LinearLayer { linears[Self.moduleName(layer: i, projection: name)]! }
            let h = tape.rmsNorm(x, weight: parameter(p + "input_layernorm.weight"), eps: c.rmsNormEps)
            let q = tape.rotary(tape.reshape(linear("q_proj").forward(h, tape: tape), [1, t, c.heads, c.headDim]), table: rope, layout: c.ropeLayout)
            let k = tape.rotary(tape.reshape(linear("k_proj").forward(h, tape: tape), [1, t, c.kvHeads, c.headDim]), table: rope, layout: c.ropeLayout)
            let v = tape.reshape(linear("v_proj").forward(h, tape: tape), [1, t, c.kvHeads, c.headDim])
            let attended = tape.reshape(tape.attention(q: q, k: k, v: v, direct: false, packing: nil), [t, c.heads * c.headDim])
            let attentionOutput = linear("o_proj").forward(attended, tape: tape)
            let afterAttention = tape.add(x, attentionOutput)
            let h2 = tape.rmsNorm(afterAttention, weight: parameter(p + "post_attention_layernorm.weight"), eps: c.rmsNormEps)
            let gated = tape.swiglu(gate: linear("gate_proj").forward(h2, tape: tape), up: linear("up_proj").forward(h2, tape: tape))
            let mlpOutput = linear("down_proj").forward(gated, tape: tape)
            x = tape.add(afterAttention, mlpOutput)
            guard layers.contains(i) else { continue }
            kept.append(BlockActivations(layer: i, residual: Self.values(x), attention: attentionProbabilities(q: q, k: k, tokens: t),
                                         attentionOutput: Self.values(attentionOutput), mlpOutput: Self.values(mlpOutput)))
        }
        return kept
    }

    private static func values(_ tensor: Tensor) -> [Float] {
        withExtendedLifetime(tensor) { Array(UnsafeBufferPointer(start: tensor.pointer, count: tensor.count)) }
    }

    /// `[H, T, T]` probabilities from rotated `q` `[1, T, H, D]` and `k` `[1, T, K, D]`: for each
    /// head and query `i`, `softmax_j(Σ_d q[i, h, d] k[j, h/(H/K), d] / √D)` over `j ≤ i`, 0 above
    /// the diagonal; sums and exponentials in double precision.
    private func attentionProbabilities(q: Tensor, k: Tensor, tokens t: Int) -> [Float] {
        let c = config
        let heads = c.heads, kvHeads = c.kvHeads, d = c.headDim, group = heads / kvHeads
        let qs = Self.values(q), ks = Self.values(k)
        let scale = 1 / Double(d).squareRoot()
        var out = [Float](repeating: 0, count: heads * t * t)
        var scores = [Double](repeating: 0, count: t)
        for h in 0..<heads {
            let kvh = h / group
            for i in 0..<t {
                var peak = -Double.infinity
                for j in 0...i {
                    var dot = 0.0
                    for e in 0..<d { dot += Double(qs[(i * heads + h) * d + e]) * Double(ks[(j * kvHeads + kvh) * d + e]) }
                    scores[j] = dot * scale
                    peak = max(peak, scores[j])
                }
                var total = 0.0
                for j in 0...i {
                    scores[j] = (scores[j] - peak).exp
                    total += scores[j]
                }
                for j in 0...i { out[(h * t + i) * t + j] = Float(scores[j] / total) }
            }
        }
        return out
    }
}

private extension Double {
    var exp: Double { Foundation.exp(self) }
}
