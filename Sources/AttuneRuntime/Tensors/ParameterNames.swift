import Foundation

/// Short parameter names for the REPL, and the mapping to and from Hugging Face names.
///
/// Hugging Face names are long (`model.layers.0.self_attn.q_proj.weight`); Attune shows and
/// accepts short ones (`layers.0.attn.q_proj`) and accepts the long ones too. The short name is the
/// Hugging Face name with these rewrites, applied in order:
///
/// | Hugging Face                              | short                   |
/// |-------------------------------------------|-------------------------|
/// | `model.embed_tokens.weight`               | `embed`                 |
/// | `model.norm.weight`                       | `norm`                  |
/// | `lm_head.weight`                          | `lm_head`               |
/// | `model.layers.N.…`                        | `layers.N.…`            |
/// | `….self_attn.…`                           | `….attn.…`              |
/// | `….input_layernorm.weight`                | `….attn_norm`           |
/// | `….post_attention_layernorm.weight`       | `….mlp_norm`            |
/// | a trailing `.weight`                      | dropped                 |
///
/// So `model.layers.0.mlp.down_proj.weight` is `layers.0.mlp.down_proj`, a bias keeps its
/// `.bias` (`layers.0.attn.q_proj.bias`), and a PEFT adapter matrix
/// `model.layers.0.self_attn.q_proj.lora_A.weight` is `layers.0.attn.q_proj.lora_A`. `.grad`
/// after any name means its gradient.
public enum ParameterNames {
    /// The short name of a Hugging Face parameter name.
    public static func short(_ huggingFace: String) -> String {
        var name = huggingFace
        if name.hasPrefix("base_model.model.") { name.removeFirst("base_model.model.".count) }
        if name.hasSuffix(".weight") { name.removeLast(".weight".count) }
        switch name {
        case "model.embed_tokens": return "embed"
        case "model.norm": return "norm"
        default: break
        }
        if name.hasPrefix("model.layers.") { name.removeFirst("model.".count) }
        name = name.replacingOccurrences(of: ".self_attn.", with: ".attn.")
        name = name.replacingOccurrences(of: ".input_layernorm", with: ".attn_norm")
        name = name.replacingOccurrences(of: ".post_attention_layernorm", with: ".mlp_norm")
        return name
    }

    /// The rewrites in words, for `help names`.
    public static let helpText = """
        Tensors have short names, and their Hugging Face names work too:
          embed                   model.embed_tokens.weight
          layers.N.attn_norm      model.layers.N.input_layernorm.weight
          layers.N.attn.q_proj    model.layers.N.self_attn.q_proj.weight   (k_proj, v_proj, o_proj)
          layers.N.mlp_norm       model.layers.N.post_attention_layernorm.weight
          layers.N.mlp.gate_proj  model.layers.N.mlp.gate_proj.weight      (up_proj, down_proj)
          norm                    model.norm.weight
          lm_head                 lm_head.weight (absent when tied to embed)
        Add .grad for a gradient, and [rows, cols] to slice: show layers.0.attn.q_proj[0:4, :8]
        Patterns use * within one part and match everything below: list layers.*.attn.q_proj, list layers.0
        In expressions a name is a tensor value: w = layers.0.attn.q_proj.lora_B (or tensor("layers.{i}.…")
        for a name made in a loop), with w.shape, w.dtype, w.count, w.mean, w.std, w.norm, w.min, w.max,
        w.nonfinite, w.labels, slices w[0:4, :8], w.rows(i, j), w.T, + - * / with numbers and tensors of
        the same shape, matmul(a, b), cosine(a, b), topk(w, k). A weight kept quantized is dequantized
        only for the rows read; a result above 64 MiB asks for a slice. activations "TEXT" gives each
        layer's residual stream, attention per head and MLP output as tensors; plot hist(w),
        plot heatmap(t) and plot bar(xs) draw them.
        """
}
