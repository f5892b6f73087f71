import ModelFormats
import Models
import TensorCore

/// The row order of Q and K (and of anything with one row per Q/K output: biases, LoRA's `B`) at
/// a file boundary.
///
/// Inside Attune the rows follow `LlamaConfiguration.ropeLayout`: `half` (Hugging Face's
/// rotate-half order, what the GGUF loader restores) or `interleaved`. Hugging Face files want
/// `half`; llama.cpp's GGUF files want its converter's interleaved order, where for each head of
/// `D` rows
/// ```
/// GGUF row h·D + 2i + j  =  Hugging Face row h·D + j·D/2 + i      (i < D/2, j ∈ {0, 1})
/// ```
/// (`GGUFTensorNames.rotaryPermutation`). Rows of every other tensor are left as they are.
public enum RotaryRowOrder {
    /// The head count whose rows `name` permutes: `heads` for `…q_proj…`, `kvHeads` for
    /// `…k_proj…` (a parameter or module name), nil for every other tensor.
    public static func heads(of name: String, config: LlamaConfiguration) -> Int? {
        if name.contains(".q_proj") { return config.heads }
        if name.contains(".k_proj") { return config.kvHeads }
        return nil
    }

    /// For each row of the GGUF order, the row of the model's order that goes there (nil when
    /// the rows need no reordering).
    static func ggufSourceRows(of name: String, config: LlamaConfiguration) -> [Int]? {
        guard config.ropeLayout == .half, let heads = heads(of: name, config: config) else { return nil }
        return GGUFTensorNames.rotaryPermutation(heads: heads, headDim: config.headDim)
    }

    /// For each row of the Hugging Face order, the row of the model's order that goes there.
    static func huggingFaceSourceRows(of name: String, config: LlamaConfiguration) -> [Int]? {
        guard config.ropeLayout == .interleaved, let heads = heads(of: name, config: config) else { return nil }
        let map = GGUFTensorNames.rotaryPermutation(heads: heads, headDim: config.headDim)
        var inverse = [Int](repeating: 0, count: map.count)
        for (gguf, hf) in map.enumerated() { inverse[hf] = gguf }
        return inverse
    }

    /// `values` (`rows × width`, row-major, rows in the model's order) with rows in llama.cpp's
    /// GGUF order.
    public static func toGGUF(_ values: [Float], name: String, width: Int, config: LlamaConfiguration) -> [Float] {
        gather(values, width: width, sourceRows: ggufSourceRows(of: name, config: config))
    }

    /// `values` (`rows × width`, rows in the model's order) with rows in Hugging Face's order.
    public static func toHuggingFace(_ values: [Float], name: String, width: Int, config: LlamaConfiguration) -> [Float] {
        gather(values, width: width, sourceRows: huggingFaceSourceRows(of: name, config: config))
    }

    /// A quantized matrix with rows in llama.cpp's GGUF order (rows are whole blocks, so this is
    /// a byte copy and loses nothing).
    public static func toGGUF(_ matrix: QuantizedMatrix, name: String, config: LlamaConfiguration) throws -> QuantizedMatrix {
        guard let source = ggufSourceRows(of: name, config: config) else { return matrix }
        precondition(source.count == matrix.rows, "rotary rows: \(source.count) for a \(matrix.rows)-row \(name)")
        var bytes = [UInt8](repeating: 0, count: matrix.byteCount)
        let rowBytes = matrix.rowByteCount
        bytes.withUnsafeMutableBytes { out in
            for (row, from) in source.enumerated() {
                out.baseAddress!.advanced(by: row * rowBytes).copyMemory(from: matrix.rowBytes(from).baseAddress!, byteCount: rowBytes)
            }
        }
        return try QuantizedMatrix(rows: matrix.rows, cols: matrix.cols, type: matrix.type, bytes: bytes)
    }

    /// `out[r] = values[sourceRows[r]]`, row by row.
    static func gather(_ values: [Float], width: Int, sourceRows: [Int]?) -> [Float] {
        guard let sourceRows else { return values }
        precondition(sourceRows.count * width == values.count, "rotary rows: \(sourceRows.count) rows × \(width) for \(values.count) values")
        var out = values
        for (row, from) in sourceRows.enumerated() {
            for c in 0..<width { out[row * width + c] = values[from * width + c] }
        }
        return out
    }
}
