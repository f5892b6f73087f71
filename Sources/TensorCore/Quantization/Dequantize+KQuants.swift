/// K-quant super-blocks of 256 values: Q4_K, Q5_K, Q6_K.
///
/// **Packed 6-bit scales and mins (Q4_K, Q5_K).** A super-block has 8 sub-blocks of 32 values,
/// each with a 6-bit scale `sc[j]` and a 6-bit min `mn[j]`, packed into 12 bytes `s[0..<12]`:
/// ```
/// j < 4:  sc[j] = s[j]   & 63                    mn[j] = s[j+4] & 63
/// j ≥ 4:  sc[j] = (s[j+4] & 0xF) | (s[j-4] >> 6) << 4
///         mn[j] = (s[j+4] >> 4)  | (s[j]   >> 6) << 4
/// ```
/// (the top two bits of bytes 0…7 carry the high bits of sub-blocks 4…7.)
///
/// ```
/// Q4_K (144 bytes): d:fp16 | dmin:fp16 | s[12] | qs[128]
///   values 64c…64c+31   = d·sc[2c]  ·(qs[32c+l] & 0xF) − dmin·mn[2c]     (c = 0…3, l = 0…31)
///   values 64c+32…64c+63 = d·sc[2c+1]·(qs[32c+l] >> 4)  − dmin·mn[2c+1]
/// Q5_K (176 bytes): d:fp16 | dmin:fp16 | s[12] | qh[32] | qs[128]
///   as Q4_K with a fifth bit: +16 when bit 2c of qh[l] is set (low-nibble half) or
///   bit 2c+1 (high-nibble half)
/// Q6_K (210 bytes): ql[128] | qh[64] | sc[16]:int8 | d:fp16
///   two halves of 128 values (h = 0, 1), each from ql[64h…], qh[32h…], sc[8h…]; for l = 0…31:
///   q0 = (ql[l]    & 0xF) | ((qh[l] >> 0) & 3) << 4      → value 128h + l
///   q1 = (ql[l+32] & 0xF) | ((qh[l] >> 2) & 3) << 4      → value 128h + l + 32
///   q2 = (ql[l]    >> 4)  | ((qh[l] >> 4) & 3) << 4      → value 128h + l + 64
///   q3 = (ql[l+32] >> 4)  | ((qh[l] >> 6) & 3) << 4      → value 128h + l + 96
///   x = d · sc[16-value group] · (q − 32), the group being (value index within the half) / 16
/// ```
extension Dequantize {
    /// Unpacks the 6-bit scale and min of sub-block `j` (0…7) from the 12 packed bytes.
    @inline(__always)
    public static func kScaleMin(_ j: Int, _ s: UnsafePointer<UInt8>) -> (scale: UInt8, min: UInt8) {
        if j < 4 {
            return (s[j] & 63, s[j + 4] & 63)
        }
        return ((s[j + 4] & 0x0F) | ((s[j - 4] >> 6) << 4),
                (s[j + 4] >> 4) | ((s[j] >> 6) << 4))
    }

    static func q4_K(_ src: UnsafeRawPointer, _ blocks: Int, _ dst: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let p = src + b * 144
            let d = half(p, 0)
            let dmin = half(p, 2)
            let s = (p + 4).assumingMemoryBound(to: UInt8.self)
            let qs = (p + 16).assumingMemoryBound(to: UInt8.self)
            let y = dst + b * 256
            for c in 0..<4 {
                let (sc0, m0) = kScaleMin(2 * c, s)
                let (sc1, m1) = kScaleMin(2 * c + 1, s)
                let d0 = d * Float(sc0), mm0 = dmin * Float(m0)
                let d1 = d * Float(sc1), mm1 = dmin * Float(m1)
                let q = qs + 32 * c
                let out = y + 64 * c
                for l in 0..<32 {
                    out[l] = d0 * Float(q[l] & 0x0F) - mm0
                    out[l + 32] = d1 * Float(q[l] >> 4) - mm1
                }
            }
        }
    }

    static func q5_K(_ src: UnsafeRawPointer, _ blocks: Int, _ dst: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let p = src + b * 176
            let d = half(p, 0)
            let dmin = half(p, 2)
            let s = (p + 4).assumingMemoryBound(to: UInt8.self)
            let qh = (p + 16).assumingMemoryBound(to: UInt8.self)
            let qs = (p + 48).assumingMemoryBound(to: UInt8.self)
            let y = dst + b * 256
            for c in 0..<4 {
                let (sc0, m0) = kScaleMin(2 * c, s)
                let (sc1, m1) = kScaleMin(2 * c + 1, s)
                let d0 = d * Float(sc0), mm0 = dmin * Float(m0)
                let d1 = d * Float(sc1), mm1 = dmin * Float(m1)
                let lowBit = UInt8(1) << (2 * c), highBit = UInt8(2) << (2 * c)
                let q = qs + 32 * c
                let out = y + 64 * c
                for l in 0..<32 {
                    let h0: UInt8 = qh[l] & lowBit != 0 ? 16 : 0
                    let h1: UInt8 = qh[l] & highBit != 0 ? 16 : 0
                    out[l] = d0 * Float((q[l] & 0x0F) + h0) - mm0
                    out[l + 32] = d1 * Float((q[l] >> 4) + h1) - mm1
                }
            }
        }
    }

    static func q6_K(_ src: UnsafeRawPointer, _ blocks: Int, _ dst: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let p = src + b * 210
            let d = half(p, 208)
            let y = dst + b * 256
            for h in 0..<2 {
                let ql = (p + 64 * h).assumingMemoryBound(to: UInt8.self)
                let qh = (p + 128 + 32 * h).assumingMemoryBound(to: UInt8.self)
                let sc = (p + 192 + 8 * h).assumingMemoryBound(to: Int8.self)
                let out = y + 128 * h
                for l in 0..<32 {
                    let g = l / 16
                    let hb = qh[l]
                    let q0 = Int((ql[l] & 0x0F) | ((hb & 3) << 4)) - 32
                    let q1 = Int((ql[l + 32] & 0x0F) | (((hb >> 2) & 3) << 4)) - 32
                    let q2 = Int((ql[l] >> 4) | (((hb >> 4) & 3) << 4)) - 32
                    let q3 = Int((ql[l + 32] >> 4) | (((hb >> 6) & 3) << 4)) - 32
                    out[l] = d * Float(sc[g]) * Float(q0)
                    out[l + 32] = d * Float(sc[g + 2]) * Float(q1)
                    out[l + 64] = d * Float(sc[g + 4]) * Float(q2)
                    out[l + 96] = d * Float(sc[g + 6]) * Float(q3)
                }
            }
        }
    }
}
