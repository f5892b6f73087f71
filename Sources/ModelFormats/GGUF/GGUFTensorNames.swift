/// Hugging Face Llama parameter names ↔ GGUF tensor names (REFERENCE.md).
///
/// | Hugging Face | GGUF |
/// |---|---|
/// | `model.embed_tokens.weight` | `token_embd.weight` |
/// | `model.layers.{i}.input_layernorm.weight` | `blk.{i}.attn_norm.weight` |
/// | `model.layers.{i}.self_attn.{q,k,v,o}_proj.{weight,bias}` | `blk.{i}.attn_{q,k,v,output}.{weight,bias}` |
/// | `model.layers.{i}.post_attention_layernorm.weight` | `blk.{i}.ffn_norm.weight` |
/// | `model.layers.{i}.mlp.{gate,up,down}_proj.weight` | `blk.{i}.ffn_{gate,up,down}.weight` |
/// | `model.norm.weight` | `output_norm.weight` |
/// | `lm_head.weight` | `output.weight` |
public enum GGUFTensorNames {
    static let global: [(hf: String, gguf: String)] = [
        ("model.embed_tokens.weight", "token_embd.weight"),
        ("model.norm.weight", "output_norm.weight"),
        ("lm_head.weight", "output.weight"),
    ]
    static let perLayer: [(hf: String, gguf: String)] = [
        ("input_layernorm.weight", "attn_norm.weight"),
        ("self_attn.q_proj.weight", "attn_q.weight"), ("self_attn.q_proj.bias", "attn_q.bias"),
        ("self_attn.k_proj.weight", "attn_k.weight"), ("self_attn.k_proj.bias", "attn_k.bias"),
        ("self_attn.v_proj.weight", "attn_v.weight"), ("self_attn.v_proj.bias", "attn_v.bias"),
        ("self_attn.o_proj.weight", "attn_output.weight"),
        ("post_attention_layernorm.weight", "ffn_norm.weight"),
        ("mlp.gate_proj.weight", "ffn_gate.weight"),
        ("mlp.up_proj.weight", "ffn_up.weight"),
        ("mlp.down_proj.weight", "ffn_down.weight"),
    ]

    /// The Hugging Face name of a GGUF tensor, or nil for tensors Attune does not use
    /// (`rope_freqs.weight`, …).
    public static func huggingFace(fromGGUF name: String) -> String? {
        if let pair = global.first(where: { $0.gguf == name }) { return pair.hf }
        let parts = name.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, parts[0] == "blk", let layer = Int(parts[1]), layer >= 0 else { return nil }
        guard let pair = perLayer.first(where: { $0.gguf == parts[2] }) else { return nil }
        return "model.layers.\(layer).\(pair.hf)"
    }

    /// The GGUF name of a Hugging Face parameter, or nil when it has none.
    public static func gguf(fromHuggingFace name: String) -> String? {
        if let pair = global.first(where: { $0.hf == name }) { return pair.gguf }
        let prefix = "model.layers."
        guard name.hasPrefix(prefix) else { return nil }
        let rest = name.dropFirst(prefix.count)
        guard let dot = rest.firstIndex(of: "."), let layer = Int(rest[..<dot]) else { return nil }
        let suffix = String(rest[rest.index(after: dot)...])
        guard let pair = perLayer.first(where: { $0.hf == suffix }) else { return nil }
        return "blk.\(layer).\(pair.gguf)"
    }

    /// The row order llama.cpp's converter gives Q and K (`heads` heads of `headDim` rows):
    /// GGUF row `h·D + 2i + j` holds Hugging Face row `h·D + j·D/2 + i`. Returns, for each GGUF
    /// row, its Hugging Face row.
    public static func rotaryPermutation(heads: Int, headDim: Int) -> [Int] {
        var map = [Int](repeating: 0, count: heads * headDim)
        let half = headDim / 2
        for h in 0..<heads { for i in 0..<half { for j in 0..<2 {
            map[h * headDim + 2 * i + j] = h * headDim + j * half + i
        } } }
        return map
    }
}
