import Essentials
import Foundation
import ModelFormats
import TensorCore

extension LlamaModel {
    /// Builds a model from a GGUF file (architectures laid out like Llama: `llama`, `qwen2`).
    ///
    /// 2-D weights stored quantized (or in F16/BF16) stay in that form and are dequantized on the
    /// fly; float32 weights and every 1-D tensor (norms, biases) go to the float32 arena. The rows
    /// of Q and K, which llama.cpp's converter permuted for its interleaved rotary layout, are put
    /// back in Hugging Face order here, so every later step (rotate-half rotary, PEFT adapters)
    /// sees the Hugging Face layout.
    public static func load(gguf file: GGUFFile) throws -> LlamaModel {
        let meta = try file.llamaMetadata()
        guard ["llama", "qwen2"].contains(meta.architecture) else {
            throw ModelFileError(file: file.name, entry: "general.architecture",
                                 "architecture '\(meta.architecture)' is not supported (Attune runs llama and qwen2 layouts)")
        }
        guard let embedInfo = file.tensorInfo(named: "token_embd.weight") else {
            throw ModelFileError(file: file.name, entry: "token_embd.weight", "missing: a Llama GGUF needs its token embedding")
        }
        let headDim = meta.ropeDimensionCount ?? meta.headDim
        let config = LlamaConfiguration(
            vocabSize: meta.vocabSize ?? embedInfo.rows, hiddenSize: meta.embeddingLength, intermediateSize: meta.feedForwardLength,
            layers: meta.blockCount, heads: meta.headCount, kvHeads: meta.headCountKV, headDim: headDim,
            ropeTheta: Double(meta.ropeFreqBase), rmsNormEps: meta.rmsNormEpsilon,
            tieWordEmbeddings: file.tensorInfo(named: "output.weight") == nil,
            maxPositionEmbeddings: meta.contextLength, attentionBias: file.tensorInfo(named: "blk.0.attn_q.bias") != nil,
            ropeLayout: .half)
        let a = meta.architecture + "."
        do {
            try config.validate(keys: ["vocab_size": a + "vocab_size (or the rows of token_embd.weight)", "hidden_size": a + "embedding_length",
                                       "intermediate_size": a + "feed_forward_length", "num_hidden_layers": a + "block_count",
                                       "num_attention_heads": a + "attention.head_count", "num_key_value_heads": a + "attention.head_count_kv",
                                       "head_dim": a + "rope.dimension_count (or embedding_length / head_count)",
                                       "max_position_embeddings": a + "context_length"])
        } catch TensorError.invalidArgument(let message) {
            throw ModelFileError(file: file.name, message)
        }
        let expected = Dictionary(uniqueKeysWithValues: config.parameterShapes.map { ($0.name, $0.shape) })
        // Before anything is allocated: every parameter the metadata implies is in the file with its
        // shape (so the sizes are bounded by the file's), and the float32 copies fit in memory.
        var stored = [String: GGUFTensorInfo]()
        for info in file.tensors {
            if let name = GGUFTensorNames.huggingFace(fromGGUF: info.name), expected[name] != nil { stored[name] = info }
        }
        var floatCount = 0
        for (name, shape) in config.parameterShapes {
            guard let info = stored[name] else {
                throw ModelFileError(file: file.name, entry: GGUFTensorNames.gguf(fromHuggingFace: name) ?? name, "missing tensor")
            }
            let storedShape = info.dims.count == 1 ? [info.cols] : info.shape
            guard storedShape == shape else {
                throw ModelFileError(file: file.name, entry: info.name, "shape \(storedShape) does not match the metadata's \(shape) for \(name)")
            }
            if shape.count != 2 || info.type == .f32 { floatCount += shape.reduce(1, *) }
        }
        try MemoryBudget.require(floatCount.multipliedReportingOverflow(by: 4).overflow ? .max : floatCount * 4,
                                 for: "\(NumberText.grouped(floatCount)) float32 weights", file: file.name)

        var quantized = [String: QuantizedMatrix]()
        var dense = [String: [Float]]()
        for info in file.tensors {
            guard let name = GGUFTensorNames.huggingFace(fromGGUF: info.name), let shape = expected[name] else { continue }
            let storedShape = info.dims.count == 1 ? [info.cols] : info.shape
            guard storedShape == shape else {
                throw ModelFileError(file: file.name, entry: info.name, "shape \(storedShape) does not match the metadata's \(shape) for \(name)")
            }
            let matrix: QuantizedMatrix
            do { matrix = try file.tensor(named: info.name) } catch {
                throw ModelFileError(file: file.name, entry: info.name, "\(error)")
            }
            let permutation: [Int]? = name.hasSuffix("q_proj.weight") || name.hasSuffix("q_proj.bias")
                ? GGUFTensorNames.rotaryPermutation(heads: config.heads, headDim: headDim)
                : name.hasSuffix("k_proj.weight") || name.hasSuffix("k_proj.bias")
                    ? GGUFTensorNames.rotaryPermutation(heads: config.kvHeads, headDim: headDim) : nil
            if shape.count == 2 && info.type != .f32 {
                quantized[name] = try permutation.map { try matrix.unpermutingRows($0) } ?? matrix
            } else {
                var values = matrix.dequantized()
                if let permutation { values = Self.unpermute(values, rows: permutation, width: info.dims.count == 1 ? 1 : info.cols) }
                dense[name] = values
            }
        }
        let model = try LlamaModel(config: config, quantizedWeights: quantized)
        for tensor in model.parameters.tensors {
            guard let values = dense[tensor.name] else {
                throw ModelFileError(file: file.name, entry: GGUFTensorNames.gguf(fromHuggingFace: tensor.name) ?? tensor.name, "missing tensor")
            }
            values.withUnsafeBufferPointer { tensor.pointer.update(from: $0.baseAddress!, count: tensor.count) }
        }
        return model
    }

    /// Row `r` of the result is row `p` of `values` where `permutation[p] == r`.
    static func unpermute(_ values: [Float], rows permutation: [Int], width: Int) -> [Float] {
        var out = values
        for (stored, original) in permutation.enumerated() {
            for c in 0..<width { out[original * width + c] = values[stored * width + c] }
        }
        return out
    }
}

extension QuantizedMatrix {
    /// A copy whose row `permutation[r]` is this matrix's row `r` (rows are independent blocks, so
    /// reordering them is a byte copy).
    func unpermutingRows(_ permutation: [Int]) throws -> QuantizedMatrix {
        precondition(permutation.count == rows, "row permutation of \(permutation.count) for \(rows) rows")
        var bytes = [UInt8](repeating: 0, count: byteCount)
        for (stored, original) in permutation.enumerated() {
            let src = rowBytes(stored)
            bytes.withUnsafeMutableBytes { dst in
                dst.baseAddress!.advanced(by: original * rowByteCount).copyMemory(from: src.baseAddress!, byteCount: rowByteCount)
            }
        }
        return try QuantizedMatrix(rows: rows, cols: cols, type: type, bytes: bytes)
    }
}
