/// NF4, the 4-bit NormalFloat data type of QLoRA, exactly as bitsandbytes stores it.
///
/// ```
/// weight (row-major [out, in], flattened) → blocks of `blockSize` (64) values
/// absmax[b]  = max |x| over block b                                 (fp32, one per block)
/// s          = clamp(x · (1 / absmax[b]), −1, 1)          (absmax 0 → s = 0, code 7 = 0.0)
/// code       = number of midpoints m[k] = (c[k] + c[k+1]) / 2 with m[k] < s
///              (nearest codebook entry; a value exactly on a midpoint takes the lower code)
/// byte i     = code(element 2i) << 4 | code(element 2i+1)          (first element high nibble)
/// dequant    = c[code] · absmax[b]
/// ```
/// This is bitsandbytes 0.50's CPU path (`torch.bucketize` over the float32 midpoints of the
/// codebook); it reproduces the reference fixture's `packed` bytes and `absmax` exactly.
public enum NF4 {
    /// The 16 code values (index = 4-bit code). Hard-coded: regenerating them from normal
    /// quantiles differs in the last bit.
    public static let codebook: [Float] = [
        -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
        -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
        0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
        0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
    ]

    /// Float32 midpoints between neighbouring codes: `(c[k] + c[k+1]) / 2`.
    public static let midpoints: [Float] = (0..<15).map { (codebook[$0] + codebook[$0 + 1]) / 2 }

    /// The code of a scaled value `s ∈ [−1, 1]` (NaN → 0).
    @inline(__always)
    public static func code(_ s: Float) -> UInt8 {
        var k: UInt8 = 0
        midpoints.withUnsafeBufferPointer { m in
            for i in 0..<15 where m[i] < s { k += 1 }
        }
        return k
    }

    /// Quantizes `values` in blocks of `blockSize` (the last block may be partial).
    /// Returns the packed codes (`(count + 1) / 2` bytes) and one absmax per block.
    public static func quantize(_ values: [Float], blockSize: Int = 64) -> (packed: [UInt8], absmax: [Float]) {
        precondition(blockSize > 0 && blockSize % 2 == 0, "NF4 block size must be positive and even, got \(blockSize)")
        let n = values.count
        let blocks = (n + blockSize - 1) / blockSize
        var absmax = [Float](repeating: 0, count: blocks)
        var packed = [UInt8](repeating: 0, count: (n + 1) / 2)
        for b in 0..<blocks {
            let lo = b * blockSize, hi = Swift.min(n, lo + blockSize)
            var am: Float = 0
            for i in lo..<hi { am = Swift.max(am, abs(values[i])) }
            absmax[b] = am
            let inv = 1 / Swift.max(am, 1e-38)
            for i in lo..<hi {
                let s = Swift.min(Swift.max(values[i] * inv, -1), 1)
                let c = code(s)
                packed[i / 2] |= i % 2 == 0 ? c << 4 : c
            }
        }
        if n % 2 == 1 { packed[n / 2] |= code(0) }   // bitsandbytes pads with a zero value
        return (packed, absmax)
    }

    /// Dequantizes `count` values starting at element `start` (any offset) into `out`.
    public static func dequantize(packed: UnsafeBufferPointer<UInt8>, absmax: (Int) -> Float, blockSize: Int,
                                  start: Int, into out: UnsafeMutableBufferPointer<Float>) {
        precondition(start >= 0 && (start + out.count + 1) / 2 <= packed.count, "NF4 range out of bounds")
        codebook.withUnsafeBufferPointer { c in
            var i = 0
            while i < out.count {
                let e = start + i
                let b = e / blockSize
                let scale = absmax(b)
                let end = Swift.min(out.count, (b + 1) * blockSize - start)
                while i < end {
                    let e = start + i
                    let byte = packed[e >> 1]
                    let code = e & 1 == 0 ? byte >> 4 : byte & 0x0F
                    out[i] = c[Int(code)] * scale
                    i += 1
                }
            }
        }
    }
}
