import TensorCore

/// The storage type asked of a merged GGUF export (`type=f16|q8_0|q4_0`, or f32), and the type
/// each tensor gets from it.
///
/// | asked | 2-D weights | token_embd / output | 1-D (norms, biases) |
/// |---|---|---|---|
/// | f32 | F32 | F32 | F32 |
/// | f16 | F16 | F16 | F32 |
/// | q8_0 | Q8_0 | Q8_0 | F32 |
/// | q4_0 | Q4_0 | Q8_0 (as llama-quantize keeps the output layer wider) | F32 |
///
/// A row whose width is not a multiple of the 32-value block (the tiny model's MLP width 176)
/// falls back to F16, as llama-quantize falls back for rows it cannot block.
public enum GGUFExportType: String, CaseIterable, Sendable {
    case f32, f16, q8_0, q4_0

    /// The ggml type most weights get.
    public var mainType: GGMLType {
        switch self {
        case .f32: .f32
        case .f16: .f16
        case .q8_0: .q8_0
        case .q4_0: .q4_0
        }
    }

    /// `general.file_type` (llama.cpp's `LLAMA_FTYPE_*`: ALL_F32 0, MOSTLY_F16 1, MOSTLY_Q4_0 2,
    /// MOSTLY_Q8_0 7).
    public var fileType: UInt32 {
        switch self {
        case .f32: 0
        case .f16: 1
        case .q4_0: 2
        case .q8_0: 7
        }
    }

    /// The type of the tensor `ggufName` of row-major `shape`.
    public func tensorType(ggufName: String, shape: [Int]) -> GGMLType {
        guard shape.count == 2 else { return .f32 }
        let wide = ggufName == "token_embd.weight" || ggufName == "output.weight"
        let wanted: GGMLType = self == .q4_0 && wide ? .q8_0 : mainType
        guard let block = wanted.blockSize, shape[1] % block == 0 else { return .f16 }
        return wanted
    }
}
