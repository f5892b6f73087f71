import TensorCore

/// Conversions between the storage types of model files and float32.
public enum NumericConversion {
    /// Converts `count` little-endian values of a floating-point `dtype` at `source` to float32.
    public static func toFloat32(from source: UnsafeRawPointer, dtype: SafetensorsDType, count: Int, into out: UnsafeMutablePointer<Float>) {
        switch dtype {
        case .f32:
            for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .f64:
            for i in 0..<count { out[i] = Float(Double(bitPattern: UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
        case .f16:
            for i in 0..<count { out[i] = Float(Float16(bitPattern: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))) }
        case .bf16:
            for i in 0..<count { out[i] = HalfFloat.bf16ToFloat(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        default:
            preconditionFailure("toFloat32 called for integer dtype \(dtype.rawValue)")
        }
    }
}
