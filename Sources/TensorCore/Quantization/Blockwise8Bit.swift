/// Blockwise 8-bit quantization against a 256-value code (bitsandbytes `quantize_blockwise`),
/// as bitsandbytes ≥ 0.50 computes it on the CPU.
///
/// ```
/// absmax[b] = max |x| over block b (0 → every code of the block is 0)
/// s  = clamp(x · (1 / absmax[b]), −1, 1)
/// j  = trunc(((s + 1) · 0.5) · 65535 + 0.5)                       (float32, j ∈ 0…65535)
/// q  = LUT[j],  LUT[j] = first k with mid[k] ≥ −1 + 2j/65535,  mid[k] = 0.5 · (code[k] + code[k+1])
/// dequant = code[q] · absmax[b]
/// ```
/// The 65,536-entry table approximates "nearest code": a value within ~1.5e-5 of a midpoint can
/// land on the farther code. Attune reproduces the table, not the ideal rule, so its codes are
/// byte-identical to bitsandbytes' (the reference fixture has one such case).
public struct Blockwise8Bit: Sendable {
    public let code: [Float]
    let lut: [UInt8]

    /// A quantizer for a sorted 256-value code.
    public init(code: [Float]) {
        precondition(code.count == 256, "blockwise 8-bit code must have 256 values, got \(code.count)")
        self.code = code
        let mids = (0..<255).map { 0.5 * (code[$0] + code[$0 + 1]) }
        var lut = [UInt8](repeating: 0, count: 65536)
        var k = 0
        for j in 0..<65536 {
            let v = -1 + (2 * Float(j)) / 65535
            while k < 255 && mids[k] < v { k += 1 }
            lut[j] = UInt8(k)
        }
        self.lut = lut
    }

    /// The quantizer for `DynamicQuantMap.signed` (the one NF4 double quantization uses).
    public static let dynamicSigned = Blockwise8Bit(code: DynamicQuantMap.signed)

    /// Quantizes `values` in blocks of `blockSize`; returns one code per value and one absmax
    /// per block.
    public func quantize(_ values: [Float], blockSize: Int) -> (codes: [UInt8], absmax: [Float]) {
        precondition(blockSize > 0, "block size must be positive")
        let n = values.count
        let blocks = (n + blockSize - 1) / blockSize
        var codes = [UInt8](repeating: 0, count: n)
        var absmax = [Float](repeating: 0, count: blocks)
        for b in 0..<blocks {
            let lo = b * blockSize, hi = Swift.min(n, lo + blockSize)
            var am: Float = 0
            for i in lo..<hi { am = Swift.max(am, abs(values[i])) }
            absmax[b] = am
            guard am > 0 else { continue }
            let inv = 1 / am
            for i in lo..<hi {
                var s = values[i] * inv
                s = s.isNaN ? 0 : Swift.min(Swift.max(s, -1), 1)
                let t = ((s + 1) * 0.5) * 65535 + 0.5
                codes[i] = lut[Int(UInt16(t))]
            }
        }
        return (codes, absmax)
    }

    /// `code[q] · absmax[i / blockSize]` for every code.
    public func dequantize(codes: [UInt8], absmax: [Float], blockSize: Int) -> [Float] {
        precondition((codes.count + blockSize - 1) / blockSize <= absmax.count, "absmax too short")
        return codes.indices.map { code[Int(codes[$0])] * absmax[$0 / blockSize] }
    }
}
