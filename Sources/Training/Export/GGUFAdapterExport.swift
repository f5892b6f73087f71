import Essentials
import Foundation
import ModelFormats
import Models
import TensorCore

/// A LoRA adapter as a GGUF file that llama.cpp loads with `--lora` (the layout its
/// `convert_lora_to_gguf.py` writes and `llama_adapter_lora_init` checks).
///
/// Metadata: `general.architecture` (must equal the base model's), `general.type = "adapter"`,
/// `adapter.type = "lora"`, `adapter.lora.alpha` (float32). Per adapted projection, F32:
/// ```
/// blk.{i}.attn_q.weight.lora_a   GGUF dims [in, R]   = PEFT A [R, in]
/// blk.{i}.attn_q.weight.lora_b   GGUF dims [R, out]  = PEFT B [out, R], Q/K rows in llama.cpp's order
/// ```
/// llama.cpp computes the scale as `alpha / R` with `R = lora_b.ne[0]`; Attune writes
/// `alpha = s · R` so that rsLoRA's `s = alpha/√R` survives too (for plain LoRA it is the
/// configured alpha).
public enum GGUFAdapterExport {
    /// The GGUF architecture name for a configuration (`qwen2` when q/k/v carry biases).
    public static func defaultArchitecture(_ config: LlamaConfiguration) -> String {
        config.attentionBias ? "qwen2" : "llama"
    }

    /// The alpha llama.cpp needs to reproduce the adapter's scale `s`: `s · R`.
    public static func llamaCppAlpha(_ adapter: LoRAAdapter) -> Float {
        adapter.configuration.scale * Float(adapter.configuration.rank)
    }

    /// The file's contents.
    public static func writer(_ adapter: LoRAAdapter, config: LlamaConfiguration, architecture: String? = nil,
                              name: String? = nil) throws -> GGUFWriter {
        var w = GGUFWriter()
        w.set("general.architecture", .string(architecture ?? defaultArchitecture(config)))
        w.set("general.type", .string("adapter"))
        if let name { w.set("general.name", .string(name)) }
        w.set("general.file_type", .uint32(0))                          // all F32
        w.set("adapter.type", .string("lora"))
        w.set("adapter.lora.alpha", .float32(llamaCppAlpha(adapter)))
        for (module, layer) in adapter.layers {
            guard let base = GGUFTensorNames.gguf(fromHuggingFace: module + ".weight") else {
                throw ModelFileError(file: "<adapter>", entry: module, "has no GGUF tensor name")
            }
            let r = layer.rank
            let a = withExtendedLifetime(layer.a) { layer.a.values }                             // [R, in]
            let b = RotaryRowOrder.toGGUF(withExtendedLifetime(layer.b) { layer.b.values },     // [out, R]
                                          name: module, width: r, config: config)
            try w.addTensor(name: base + ".lora_a", dims: [layer.inFeatures, r], type: .f32, values: a)
            try w.addTensor(name: base + ".lora_b", dims: [r, layer.outFeatures], type: .f32, values: b)
        }
        return w
    }

    /// Writes the adapter to `url` atomically (temporary file, fsync, rename). Returns the bytes written.
    @discardableResult
    public static func write(_ adapter: LoRAAdapter, config: LlamaConfiguration, architecture: String? = nil,
                             name: String? = nil, to url: URL) throws -> Int {
        let bytes = try writer(adapter, config: config, architecture: architecture, name: name).serialized()
        try AtomicFile.write(Data(bytes), to: url)
        return bytes.count
    }
}
