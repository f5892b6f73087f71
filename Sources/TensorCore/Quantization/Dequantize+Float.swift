/// Plain floating-point element types: F16 and BF16 (F32 is a straight copy).
extension Dequantize {
    /// F16: 2 bytes per value, IEEE binary16, little-endian.
    static func f16(_ src: UnsafeRawPointer, _ count: Int, _ dst: UnsafeMutablePointer<Float>) {
        for i in 0..<count { dst[i] = half(src, 2 * i) }
    }

    /// BF16: 2 bytes per value, the high half of a Float32, little-endian.
    static func bf16(_ src: UnsafeRawPointer, _ count: Int, _ dst: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            dst[i] = HalfFloat.bf16ToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        }
    }
}
