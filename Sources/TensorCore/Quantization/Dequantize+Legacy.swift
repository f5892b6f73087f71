/// The 32-value "legacy" blocks: Q8_0, Q4_0, Q4_1.
///
/// ```
/// Q8_0 (34 bytes):  d:fp16 | q[32]:int8                 x[i] = d · q[i]
/// Q4_0 (18 bytes):  d:fp16 | qs[16]:uint8               x[j]    = d · ((qs[j] & 0xF) − 8)
///                                                       x[j+16] = d · ((qs[j] >> 4)  − 8)
/// Q4_1 (20 bytes):  d:fp16 | m:fp16 | qs[16]:uint8      x[j]    = d · (qs[j] & 0xF) + m
///                                                       x[j+16] = d · (qs[j] >> 4)  + m
/// ```
/// Low nibbles hold elements 0…15 of the block, high nibbles 16…31. These Swift loops are the
/// reference the C kernels (`attune_dequant_*`, used by `Dequantize.run`) are tested against.
extension Dequantize {
    static func q8_0(_ src: UnsafeRawPointer, _ blocks: Int, _ dst: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let p = src + b * 34
            let d = half(p, 0)
            let q = (p + 2).assumingMemoryBound(to: Int8.self)
            let y = dst + b * 32
            for i in 0..<32 { y[i] = d * Float(q[i]) }
        }
    }

    static func q4_0(_ src: UnsafeRawPointer, _ blocks: Int, _ dst: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let p = src + b * 18
            let d = half(p, 0)
            let qs = (p + 2).assumingMemoryBound(to: UInt8.self)
            let y = dst + b * 32
            for j in 0..<16 {
                let byte = qs[j]
                y[j] = d * Float(Int(byte & 0x0F) - 8)
                y[j + 16] = d * Float(Int(byte >> 4) - 8)
            }
        }
    }

    static func q4_1(_ src: UnsafeRawPointer, _ blocks: Int, _ dst: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let p = src + b * 20
            let d = half(p, 0)
            let m = half(p, 2)
            let qs = (p + 4).assumingMemoryBound(to: UInt8.self)
            let y = dst + b * 32
            for j in 0..<16 {
                let byte = qs[j]
                y[j] = d * Float(byte & 0x0F) + m
                y[j + 16] = d * Float(byte >> 4) + m
            }
        }
    }
}
