import Essentials
import Foundation
import ModelFormats
import Models

/// The merged model (`MergedWeights`) as a Hugging Face folder that `transformers` and Attune's
/// own loader (`LlamaModel.loadHuggingFace`) read:
/// ```
/// config.json          LlamaConfiguration's keys + architectures, model_type, hidden_act, torch_dtype (+ extras)
/// model.safetensors    every parameter under its Hugging Face name, Q/K rows in Hugging Face order
/// tokenizer files      copied from the base's folder when it has them (tokenizer.json, …)
/// ```
/// Each file is written atomically (temporary file, fsync, rename).
public enum MergedHuggingFaceExport {
    /// Files copied from the base model's folder when present.
    public static let tokenizerFiles = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                                        "vocab.json", "merges.txt", "tokenizer.model", "generation_config.json"]

    /// What was written.
    public struct Summary: Sendable, Equatable {
        public var tensors = 0
        public var mergedTensors = 0
        /// Size of model.safetensors.
        public var bytes = 0
        /// Every file written, by name.
        public var files: [String] = []
    }

    /// The `config.json` object: the configuration's own keys plus what `transformers` needs to
    /// pick the class, then `extra` (e.g. `bos_token_id`, `eos_token_id`).
    public static func configJSON(_ config: LlamaConfiguration, dtype: SafetensorsDType, extra: [String: JSONValue] = [:]) throws -> Data {
        var object = try JSONValue.parse([UInt8](JSONEncoder().encode(config)))
        object = object.setting("architectures", to: .array([.string(config.attentionBias ? "Qwen2ForCausalLM" : "LlamaForCausalLM")]))
        object = object.setting("model_type", to: .string(config.attentionBias ? "qwen2" : "llama"))
        object = object.setting("hidden_act", to: .string("silu"))
        let dtypeName: String = switch dtype { case .f16: "float16"; case .bf16: "bfloat16"; default: "float32" }
        object = object.setting("torch_dtype", to: .string(dtypeName))
        for (key, value) in extra { object = object.setting(key, to: value) }
        return Data((object.text(.pretty(indent: 2, sortedKeys: true)) + "\n").utf8)
    }

    /// Writes the folder (created if needed).
    ///
    /// - Parameters:
    ///   - dtype: F32 (default, exact), F16 or BF16 for every tensor.
    ///   - tokenizerFolder: a folder whose tokenizer files are copied (the base's HF folder).
    ///   - extraFiles: more files to write, by name (a `tokenizer.json` built from GGUF metadata).
    @discardableResult
    public static func write(_ weights: MergedWeights, dtype: SafetensorsDType = .f32, tokenizerFolder: URL? = nil,
                             extraFiles: [String: Data] = [:], extraConfig: [String: JSONValue] = [:], to folder: URL) throws -> Summary {
        precondition([.f32, .f16, .bf16].contains(dtype), "merged export writes F32, F16 or BF16, not \(dtype.rawValue)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var summary = Summary()
        var items = [SafetensorsWriter.Item]()
        for (name, shape) in weights.entries {
            let width = shape.count == 2 ? shape[1] : 1
            let values = RotaryRowOrder.toHuggingFace(weights.floats(name), name: name, width: width, config: weights.config)
            items.append(.init(name: name, shape: shape, values: values, dtype: dtype))
            summary.tensors += 1
            if weights.isAdapted(name) { summary.mergedTensors += 1 }
        }
        var hfConfig = weights.config
        hfConfig.ropeLayout = .half
        let data = try SafetensorsWriter.encode(items, metadata: ["format": "pt"])
        items.removeAll()
        summary.bytes = data.count
        try AtomicFile.write(data, to: folder.appendingPathComponent("model.safetensors"))
        summary.files.append("model.safetensors")
        try AtomicFile.write(configJSON(hfConfig, dtype: dtype, extra: extraConfig), to: folder.appendingPathComponent("config.json"))
        summary.files.append("config.json")
        for (file, contents) in extraFiles.sorted(by: { $0.key < $1.key }) {
            try AtomicFile.write(contents, to: folder.appendingPathComponent(file))
            summary.files.append(file)
        }
        if let tokenizerFolder, tokenizerFolder.standardizedFileURL != folder.standardizedFileURL {
            for file in tokenizerFiles where extraFiles[file] == nil {
                let source = tokenizerFolder.appendingPathComponent(file)
                guard let contents = try? Data(contentsOf: source) else { continue }
                try AtomicFile.write(contents, to: folder.appendingPathComponent(file))
                summary.files.append(file)
            }
        }
        return summary
    }
}
