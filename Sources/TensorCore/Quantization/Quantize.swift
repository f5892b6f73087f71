/// Float32 → ggml blocks, for the types Attune writes: F32, F16, BF16, Q8_0, Q4_0, Q4_1.
///
/// The rules follow ggml's reference quantizers so files read the same everywhere:
/// ```
/// Q8_0: amax = max|x|, d = amax/127, q = round(x/d)                  (round half away from 0)
/// Q4_0: M = the x with the largest |x| (sign kept), d = M/−8,
///       q = min(15, trunc(x/d + 8.5))                 → x ≈ d·(q − 8), M maps exactly to q=0
/// Q4_1: lo = min x, hi = max x, d = (hi−lo)/15, m = lo,
///       q = min(15, trunc((x−lo)/d + 0.5))            → x ≈ d·q + m
/// ```
/// `1/d` is taken from the Float32 `d` before it is rounded to fp16 (as ggml does); a zero
/// block gives d = 0 and all-zero codes. Non-finite inputs never trap: codes are clamped.
public enum Quantize {
    /// Quantizes `count` floats (a multiple of the block size) into `dst`, which must hold
    /// `type.byteCount(forValues: count)` bytes.
    public static func run(_ type: GGMLType, from src: UnsafePointer<Float>, count: Int,
                           into dst: UnsafeMutableRawPointer) {
        guard type.canQuantize, let bs = type.blockSize else {
            preconditionFailure("Quantize.run: no quantization to \(type)")
        }
        precondition(count % bs == 0, "Quantize.run: count \(count) is not a multiple of \(bs) for \(type)")
        switch type {
        case .f32:
            dst.copyMemory(from: src, byteCount: 4 * count)
        case .f16:
            for i in 0..<count { dst.storeBytes(of: HalfFloat.fromFloat(src[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
        case .bf16:
            for i in 0..<count { dst.storeBytes(of: HalfFloat.bf16FromFloat(src[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
        case .q8_0:
            for b in 0..<(count / 32) { q8_0Block(src + 32 * b, dst + 34 * b) }
        case .q4_0:
            for b in 0..<(count / 32) { q4_0Block(src + 32 * b, dst + 18 * b) }
        case .q4_1:
            for b in 0..<(count / 32) { q4_1Block(src + 32 * b, dst + 20 * b) }
        default:
            preconditionFailure("unreachable")
        }
    }

    /// Quantizes an array of floats (count a multiple of the block size) into new bytes.
    public static func bytes(_ type: GGMLType, _ values: [Float]) -> [UInt8] {
        guard let n = type.byteCount(forValues: values.count) else {
            preconditionFailure("Quantize.bytes: \(values.count) values do not fill whole \(type) blocks")
        }
        var out = [UInt8](repeating: 0, count: n)
        values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBytes { o in
                if let s = v.baseAddress, let d = o.baseAddress { run(type, from: s, count: values.count, into: d) }
            }
        }
        return out
    }

    @inline(__always)
    static func storeHalf(_ x: Float, _ p: UnsafeMutableRawPointer, _ offset: Int) {
        p.storeBytes(of: HalfFloat.fromFloat(x).littleEndian, toByteOffset: offset, as: UInt16.self)
    }

    /// `trunc(v)` clamped to 0…15, with NaN → 0.
    @inline(__always)
    static func nibble(_ v: Float) -> UInt8 {
        if !(v > 0) { return 0 }
        if v >= 15 { return 15 }
        return UInt8(v)
    }

    static func q8_0Block(_ x: UnsafePointer<Float>, _ p: UnsafeMutableRawPointer) {
        var amax: Float = 0
        for i in 0..<32 { amax = Swift.max(amax, abs(x[i])) }
        let d = amax / 127
        let id: Float = d != 0 ? 1 / d : 0
        storeHalf(d, p, 0)
        for i in 0..<32 {
            var v = (x[i] * id).rounded()
            if !(v >= -128) { v = v.isNaN ? 0 : -128 }
            if v > 127 { v = 127 }
            p.storeBytes(of: Int8(v), toByteOffset: 2 + i, as: Int8.self)
        }
    }

    static func q4_0Block(_ x: UnsafePointer<Float>, _ p: UnsafeMutableRawPointer) {
        var amax: Float = 0, extreme: Float = 0
        for i in 0..<32 where abs(x[i]) > amax { amax = abs(x[i]); extreme = x[i] }
        let d = extreme / -8
        let id: Float = d != 0 ? 1 / d : 0
        storeHalf(d, p, 0)
        for j in 0..<16 {
            let lo = nibble(x[j] * id + 8.5)
            let hi = nibble(x[j + 16] * id + 8.5)
            p.storeBytes(of: lo | (hi << 4), toByteOffset: 2 + j, as: UInt8.self)
        }
    }

    static func q4_1Block(_ x: UnsafePointer<Float>, _ p: UnsafeMutableRawPointer) {
        var lo = Float.greatestFiniteMagnitude, hi = -Float.greatestFiniteMagnitude
        for i in 0..<32 { lo = Swift.min(lo, x[i]); hi = Swift.max(hi, x[i]) }
        let d = (hi - lo) / 15
        let id: Float = d != 0 ? 1 / d : 0
        storeHalf(d, p, 0)
        storeHalf(lo, p, 2)
        for j in 0..<16 {
            let a = nibble((x[j] - lo) * id + 0.5)
            let b = nibble((x[j + 16] - lo) * id + 0.5)
            p.storeBytes(of: a | (b << 4), toByteOffset: 4 + j, as: UInt8.self)
        }
    }
}
