/// Why a quantized view could not be formed from the given shape, type and bytes.
public enum QuantizationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The type has no known block layout or no dequantization kernel.
    case unsupportedType(GGMLType)
    /// `cols` is not a whole number of blocks of the type.
    case columnsNotBlockAligned(cols: Int, type: GGMLType, blockSize: Int)
    /// Negative dimensions or a size that overflows.
    case invalidShape(rows: Int, cols: Int)
    /// The storage holds fewer bytes than the shape needs.
    case notEnoughBytes(needed: Int, available: Int)

    public var description: String {
        switch self {
        case .unsupportedType(let t):
            "tensor type \(t) (id \(t.rawValue)) cannot be dequantized by Attune"
        case .columnsNotBlockAligned(let cols, let t, let bs):
            "\(cols) columns is not a multiple of the \(t) block size \(bs)"
        case .invalidShape(let r, let c):
            "invalid shape \(r) × \(c)"
        case .notEnoughBytes(let needed, let available):
            "needs \(needed) bytes but only \(available) are available"
        }
    }
}
