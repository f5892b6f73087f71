import TensorCore

/// One tensor's entry in a GGUF file.
///
/// `dims` are fastest-first as GGUF stores them (`ne0` = columns): a `[576, 1536]` GGUF tensor
/// is a row-major `1536 × 576` matrix. `offset` is relative to the start of the data section.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    public let dims: [Int]
    public let type: GGMLType
    public let offset: Int
    /// Encoded size in bytes.
    public let byteCount: Int

    /// Columns: `dims[0]`.
    public var cols: Int { dims.first ?? 1 }
    /// Rows: the product of the remaining dims (1 for a vector).
    public var rows: Int { dims.dropFirst().reduce(1, *) }
    /// Row-major shape `[rows, cols]` (the Hugging Face `[out, in]` of a weight).
    public var shape: [Int] { [rows, cols] }
    public var elementCount: Int { rows * cols }
}
