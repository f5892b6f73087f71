import Essentials
import Foundation
import ModelFormats
import Models
import TensorCore

/// The merged model (`MergedWeights`) as a llama.cpp GGUF file: GGUF names, Q/K rows permuted to
/// llama.cpp's order, every tensor in the type `GGUFExportType` gives it.
///
/// Metadata: when the base came from a GGUF file, all of its keys are carried over (tokenizer,
/// chat template, rope settings), then `general.*` and the Llama hyperparameters are set from the
/// model's configuration:
/// ```
/// general.architecture, general.type = "model", general.name, general.file_type, general.quantization_version = 2
/// <arch>.context_length, embedding_length, block_count, feed_forward_length, vocab_size,
/// <arch>.attention.head_count, head_count_kv, layer_norm_rms_epsilon, rope.freq_base, rope.dimension_count
/// ```
/// Without a source GGUF the file has no `tokenizer.*` keys (Attune's loader reads the weights;
/// llama.cpp also needs a tokenizer). A tensor stored quantized in the base, not touched by the
/// adapter and asked for in its own type is copied block for block (no second rounding).
public enum MergedGGUFExport {
    /// What was written.
    public struct Summary: Sendable, Equatable {
        /// Tensor count per ggml type name.
        public var tensorTypes: [String: Int] = [:]
        /// Tensors with the adapter's update folded in.
        public var mergedTensors = 0
        /// Quantized tensors copied without requantizing.
        public var copiedTensors = 0
        /// 2-D tensors stored as F16 because their rows do not fill whole blocks.
        public var fallbacks: [String] = []
        /// File size.
        public var bytes = 0

        /// `113 Q8_0, 61 F32 · 60 merged`.
        public var typesText: String {
            tensorTypes.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }.map { "\($0.value) \($0.key)" }
                .joined(separator: ", ")
        }
    }

    /// Builds the file.
    public static func writer(_ weights: MergedWeights, type: GGUFExportType, source: GGUFFile? = nil,
                              name: String? = nil) throws -> (GGUFWriter, Summary) {
        let config = weights.config
        var w = GGUFWriter()
        let architecture = source?.architecture ?? GGUFAdapterExport.defaultArchitecture(config)
        if let source {
            for key in source.keys where !["general.file_type", "general.quantization_version", "general.alignment"].contains(key) {
                if let value = source.metadata[key] { w.set(key, value) }
            }
        }
        w.set("general.architecture", .string(architecture))
        w.set("general.type", .string("model"))
        if let name { w.set("general.name", .string(name)) }
        w.set("general.file_type", .uint32(type.fileType))
        w.set("general.quantization_version", .uint32(2))
        let p = architecture + "."
        w.set(p + "context_length", .uint32(UInt32(config.maxPositionEmbeddings)))
        w.set(p + "embedding_length", .uint32(UInt32(config.hiddenSize)))
        w.set(p + "block_count", .uint32(UInt32(config.layers)))
        w.set(p + "feed_forward_length", .uint32(UInt32(config.intermediateSize)))
        w.set(p + "vocab_size", .uint32(UInt32(config.vocabSize)))
        w.set(p + "attention.head_count", .uint32(UInt32(config.heads)))
        w.set(p + "attention.head_count_kv", .uint32(UInt32(config.kvHeads)))
        w.set(p + "attention.layer_norm_rms_epsilon", .float32(config.rmsNormEps))
        w.set(p + "rope.freq_base", .float32(Float(config.ropeTheta)))
        w.set(p + "rope.dimension_count", .uint32(UInt32(config.headDim)))
        if config.headDim * config.heads != config.hiddenSize {
            w.set(p + "attention.key_length", .uint32(UInt32(config.headDim)))
            w.set(p + "attention.value_length", .uint32(UInt32(config.headDim)))
        }

        var summary = Summary()
        for (hfName, shape) in weights.entries {
            guard let ggufName = GGUFTensorNames.gguf(fromHuggingFace: hfName) else {
                throw ModelFileError(file: "<export>", entry: hfName, "has no GGUF tensor name")
            }
            let tensorType = type.tensorType(ggufName: ggufName, shape: shape)
            if shape.count == 2 && tensorType == .f16 && type.mainType != .f16 && type.mainType != .f32 { summary.fallbacks.append(ggufName) }
            let content = weights.content(hfName)
            if weights.isAdapted(hfName) { summary.mergedTensors += 1 }
            if case .quantized(let q) = content, q.type == tensorType {
                try w.addTensor(name: ggufName, matrix: RotaryRowOrder.toGGUF(q, name: hfName, config: config))
                summary.copiedTensors += 1
            } else {
                let width = shape.count == 2 ? shape[1] : 1
                let values = RotaryRowOrder.toGGUF(weights.floats(content), name: hfName, width: width, config: config)
                try w.addTensor(name: ggufName, dims: Array(shape.reversed()), type: tensorType, values: values)
            }
            summary.tensorTypes[tensorType.description, default: 0] += 1
        }
        return (w, summary)
    }

    /// Writes the merged model to `url` atomically (temporary file, fsync, rename).
    @discardableResult
    public static func write(_ weights: MergedWeights, type: GGUFExportType, source: GGUFFile? = nil, name: String? = nil,
                             to url: URL) throws -> Summary {
        var summary: Summary
        let bytes: [UInt8]
        do {
            let (w, s) = try writer(weights, type: type, source: source, name: name)
            bytes = w.serialized()
            summary = s
        }
        summary.bytes = bytes.count
        try AtomicFile.write(Data(bytes), to: url)
        return summary
    }
}
