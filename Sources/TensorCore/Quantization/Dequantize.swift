import CKernels
/// Dequantization of ggml blocks to Float32: the dispatch over `GGMLType`.
///
/// Every kernel reads whole blocks from an unaligned raw pointer and writes `count` floats.
/// `count` must be a multiple of the type's block size (callers such as `QuantizedMatrix`
/// guarantee it; a violation is a programmer error and traps).
public enum Dequantize {
    /// Dequantizes `count` consecutive values of `type` starting at `src` into `dst`.
    public static func run(_ type: GGMLType, from src: UnsafeRawPointer, count: Int,
                           into dst: UnsafeMutablePointer<Float>) {
        guard let bs = type.blockSize, type.canDequantize else {
            preconditionFailure("Dequantize.run: no dequantization for \(type)")
        }
        precondition(count % bs == 0, "Dequantize.run: count \(count) is not a multiple of \(bs) for \(type)")
        let blocks = count / bs
        switch type {
        case .f32: UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: 4 * count)
        case .f16: f16(src, count, dst)
        case .bf16: bf16(src, count, dst)
        case .q8_0: attune_dequant_q8_0(src, blocks, dst)
        case .q4_0: attune_dequant_q4_0(src, blocks, dst)
        case .q4_1: attune_dequant_q4_1(src, blocks, dst)
        case .q4_K: q4_K(src, blocks, dst)
        case .q5_K: q5_K(src, blocks, dst)
        case .q6_K: q6_K(src, blocks, dst)
        default: preconditionFailure("unreachable")
        }
    }

    /// `Σ deq(src)[i] · a[i]` over `count` values without expanding the row, for the types with a
    /// fused kernel (Q8_0, Q4_0, Q4_1); nil for the others.
    @inline(__always)
    public static func dot(_ type: GGMLType, _ src: UnsafeRawPointer, _ a: UnsafePointer<Float>, count: Int) -> Float? {
        switch type {
        case .q8_0: attune_dot_q8_0(src, a, count / 32)
        case .q4_0: attune_dot_q4_0(src, a, count / 32)
        case .q4_1: attune_dot_q4_1(src, a, count / 32)
        default: nil
        }
    }

    /// Whether `dot` has a fused kernel for `type`.
    public static func hasFusedDot(_ type: GGMLType) -> Bool { [.q8_0, .q4_0, .q4_1].contains(type) }

    /// Convenience over buffers: dequantizes `dst.count` values from `src`.
    public static func run(_ type: GGMLType, from src: UnsafeRawBufferPointer,
                           into dst: UnsafeMutableBufferPointer<Float>) {
        guard dst.count > 0, let base = src.baseAddress, let out = dst.baseAddress else { return }
        precondition(type.byteCount(forValues: dst.count).map { $0 <= src.count } ?? false,
                     "Dequantize.run: \(src.count) bytes cannot hold \(dst.count) values of \(type)")
        run(type, from: base, count: dst.count, into: out)
    }

    /// Reads a little-endian fp16 at `offset` (unaligned).
    @inline(__always)
    static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        HalfFloat.toFloat(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }
}
