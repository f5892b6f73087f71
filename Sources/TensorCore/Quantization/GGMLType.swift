/// Tensor element types as ggml numbers them (`enum ggml_type` in llama.cpp's `ggml.h`).
///
/// The raw value is the id stored in a GGUF tensor info. Ids 4 and 5 (Q4_2, Q4_3) and 31-33
/// (the repacked Q4_0_4_4 … variants) were removed from ggml and are not listed.
public enum GGMLType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q5_0 = 6
    case q5_1 = 7
    case q8_0 = 8
    case q8_1 = 9
    case q2_K = 10
    case q3_K = 11
    case q4_K = 12
    case q5_K = 13
    case q6_K = 14
    case q8_K = 15
    case iq2_XXS = 16
    case iq2_XS = 17
    case iq3_XXS = 18
    case iq1_S = 19
    case iq4_NL = 20
    case iq3_S = 21
    case iq2_S = 22
    case iq4_XS = 23
    case i8 = 24
    case i16 = 25
    case i32 = 26
    case i64 = 27
    case f64 = 28
    case iq1_M = 29
    case bf16 = 30
    case tq1_0 = 34
    case tq2_0 = 35

    /// The name ggml prints (`ggml_type_name`), e.g. `Q4_1`, `F32`.
    public var description: String {
        switch self {
        case .f32: "F32"
        case .f16: "F16"
        case .q4_0: "Q4_0"
        case .q4_1: "Q4_1"
        case .q5_0: "Q5_0"
        case .q5_1: "Q5_1"
        case .q8_0: "Q8_0"
        case .q8_1: "Q8_1"
        case .q2_K: "Q2_K"
        case .q3_K: "Q3_K"
        case .q4_K: "Q4_K"
        case .q5_K: "Q5_K"
        case .q6_K: "Q6_K"
        case .q8_K: "Q8_K"
        case .iq2_XXS: "IQ2_XXS"
        case .iq2_XS: "IQ2_XS"
        case .iq3_XXS: "IQ3_XXS"
        case .iq1_S: "IQ1_S"
        case .iq4_NL: "IQ4_NL"
        case .iq3_S: "IQ3_S"
        case .iq2_S: "IQ2_S"
        case .iq4_XS: "IQ4_XS"
        case .i8: "I8"
        case .i16: "I16"
        case .i32: "I32"
        case .i64: "I64"
        case .f64: "F64"
        case .iq1_M: "IQ1_M"
        case .bf16: "BF16"
        case .tq1_0: "TQ1_0"
        case .tq2_0: "TQ2_0"
        }
    }

    /// The block layout (values per block, bytes per block), or nil for types whose layout
    /// Attune does not know (the i-quants and ternary types).
    ///
    /// Legacy blocks hold 32 values; K-quant super-blocks hold 256 (`QK_K`).
    public var layout: (blockSize: Int, bytesPerBlock: Int)? {
        switch self {
        case .f32: (1, 4)
        case .f16, .bf16: (1, 2)
        case .f64: (1, 8)
        case .i8: (1, 1)
        case .i16: (1, 2)
        case .i32: (1, 4)
        case .i64: (1, 8)
        case .q4_0: (32, 18)    // fp16 d + 16 bytes of nibbles
        case .q4_1: (32, 20)    // fp16 d, fp16 m + 16 bytes of nibbles
        case .q5_0: (32, 22)    // fp16 d + 4 bytes of high bits + 16 bytes of nibbles
        case .q5_1: (32, 24)    // fp16 d, fp16 m + 4 + 16
        case .q8_0: (32, 34)    // fp16 d + 32 int8
        case .q8_1: (32, 36)    // fp16 d, fp16 s + 32 int8
        case .q2_K: (256, 84)
        case .q3_K: (256, 110)
        case .q4_K: (256, 144)  // fp16 d, fp16 dmin, 12 bytes of 6-bit scales/mins, 128 bytes of nibbles
        case .q5_K: (256, 176)  // as Q4_K + 32 bytes of fifth bits
        case .q6_K: (256, 210)  // 128 low nibbles, 64 bytes of 2-bit highs, 16 int8 scales, fp16 d
        case .q8_K: (256, 292)  // fp32 d, 256 int8, 16 int16 block sums
        case .iq4_NL: (32, 18)
        case .iq4_XS: (256, 136)
        default: nil
        }
    }

    /// Values per block (1 for plain element types); nil when the layout is unknown.
    public var blockSize: Int? { layout?.blockSize }

    /// Bytes per block; nil when the layout is unknown.
    public var bytesPerBlock: Int? { layout?.bytesPerBlock }

    /// Whether `Dequantize.row` can turn this type into Float32.
    public var canDequantize: Bool {
        switch self {
        case .f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q4_K, .q5_K, .q6_K: true
        default: false
        }
    }

    /// Whether `Quantize.row` can produce this type from Float32.
    public var canQuantize: Bool {
        switch self {
        case .f32, .f16, .bf16, .q8_0, .q4_0, .q4_1: true
        default: false
        }
    }

    /// Bytes taken by `count` values, or nil if the layout is unknown, `count` is not a whole
    /// number of blocks, or the size overflows.
    public func byteCount(forValues count: Int) -> Int? {
        guard let (bs, bpb) = layout, count >= 0, count % bs == 0 else { return nil }
        let (bytes, overflow) = (count / bs).multipliedReportingOverflow(by: bpb)
        return overflow ? nil : bytes
    }
}
