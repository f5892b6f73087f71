/// Conversions between Float32 and the two 16-bit float formats GGUF files use.
///
/// - IEEE binary16 (`F16`, and the `d`/`m` scales of quantized blocks): 1 sign, 5 exponent
///   (bias 15), 10 mantissa bits.
/// - bfloat16 (`BF16`): the top 16 bits of a Float32.
public enum HalfFloat {
    /// binary16 bits → Float32, exact for every input (subnormals, ±inf and NaN included).
    @inline(__always)
    public static func toFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let em = UInt32(h & 0x7FFF)
        if em >= 0x7C00 {                                  // inf / NaN: keep the payload
            return Float(bitPattern: sign | 0x7F80_0000 | ((em & 0x3FF) << 13))
        }
        if em < 0x0400 {                                   // zero / subnormal: em · 2⁻²⁴
            let magnitude = Float(em) * 0x1p-24
            return sign != 0 ? -magnitude : magnitude
        }
        // normal: rebias the exponent from 15 to 127 ((127-15) << 23 = 0x3800_0000)
        return Float(bitPattern: sign | ((em << 13) &+ 0x3800_0000))
    }

    /// Float32 → binary16 bits, rounding to nearest even (overflow gives ±inf).
    @inline(__always)
    public static func fromFloat(_ x: Float) -> UInt16 {
        Float16(x).bitPattern
    }

    /// bfloat16 bits → Float32 (exact).
    @inline(__always)
    public static func bf16ToFloat(_ b: UInt16) -> Float {
        Float(bitPattern: UInt32(b) << 16)
    }

    /// Float32 → bfloat16 bits, rounding to nearest even; NaN stays a quiet NaN.
    @inline(__always)
    public static func bf16FromFloat(_ x: Float) -> UInt16 {
        let bits = x.bitPattern
        if x.isNaN { return UInt16(truncatingIfNeeded: (bits >> 16) | 0x0040) }
        let rounding = UInt32(0x7FFF) + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }
}
