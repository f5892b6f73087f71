/// Conversions between the storage types of model files and float32.
public enum NumericConversion {
    /// bfloat16 bits → float32 (the upper 16 bits of a float32).
    @inlinable
    public static func bf16ToFloat(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// float32 → bfloat16 bits, rounding to nearest even (NaN stays NaN).
    @inlinable
    public static func floatToBF16(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(bits >> 16) | 0x40 }
        let rounding = 0x7FFF + ((bits >> 16) & 1)
        return UInt16((bits &+ rounding) >> 16)
    }

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
            for i in 0..<count { out[i] = bf16ToFloat(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        default:
            preconditionFailure("toFloat32 called for integer dtype \(dtype.rawValue)")
        }
    }
}
