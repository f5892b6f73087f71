import CKernels
import Foundation

/// A frozen weight `W [out, in]` packed once for the bf16 GEMM, in the two layouts its products
/// read: `forward` for `y = x · Wᵀ` and `backward` for `dx += dy · W` (`BF16Products`). Without it
/// every product dequantizes `W`, rounds each value to bfloat16 and packs it again — a tenth of a
/// bf16 LoRA step. The packed words are exactly those the per-call GEMM packs, so the results are
/// the same bits; the cost is 4 bytes per weight (two bf16 layouts), what PyTorch's autocast weight
/// cache pays for one. A packing serves the bf16 path it was made on (`isCurrent`).
public final class BF16PackedWeight: @unchecked Sendable {
    public let outFeatures: Int
    public let inFeatures: Int
    /// The bf16 path (`attune_bf16_path()`) the words were packed for.
    public let path: Int32
    private let forwardWords: UnsafeMutablePointer<UInt32>
    private let backwardWords: UnsafeMutablePointer<UInt32>
    /// Bytes held (both layouts), counted in `TensorMemory`.
    public let byteCount: Int

    /// Packs `weight` (`[out, in]` float32, row-major) for the bf16 path in use now.
    public init(weight: UnsafePointer<Float>, outFeatures out: Int, inFeatures inputs: Int) {
        precondition(out > 0 && inputs > 0, "BF16PackedWeight: empty weight [\(out), \(inputs)]")
        outFeatures = out
        inFeatures = inputs
        path = attune_bf16_path()
        let forward = attune_bf16_packed_b_words(inputs, out, path), backward = attune_bf16_packed_b_words(out, inputs, path)
        forwardWords = .allocate(capacity: forward)
        backwardWords = .allocate(capacity: backward)
        byteCount = (forward + backward) * MemoryLayout<UInt32>.stride
        TensorMemory.allocated(byteCount)
        attune_bf16_pack_b(1, inputs, out, weight, inputs, path, forwardWords, Parallelism.workers)   // op(B) = Wᵀ: k = in, n = out
        attune_bf16_pack_b(0, out, inputs, weight, inputs, path, backwardWords, Parallelism.workers)  // op(B) = W: k = out, n = in
    }

    deinit {
        forwardWords.deallocate()
        backwardWords.deallocate()
        TensorMemory.freed(byteCount)
    }

    /// Whether the words suit the bf16 path in use now (tests and `ATTUNE_KERNEL_PATH` can change it).
    public var isCurrent: Bool { path == attune_bf16_path() }

    /// `y[m, out] = x[m, in] · Wᵀ`: the bits of `attune_gemm_bf16(0, 1, …)` on `W`.
    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows m: Int) {
        attune_gemm_bf16_packed_b(0, m, outFeatures, inFeatures, 1, x, inFeatures, forwardWords, path, 0, y, outFeatures, Parallelism.workers)
    }

    /// `dx[m, in] += dy[m, out] · W`: the bits of `attune_gemm_bf16(0, 0, …, beta 1)` on `W`.
    public func accumulateInputGradient(_ dy: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>, rows m: Int) {
        attune_gemm_bf16_packed_b(0, m, inFeatures, outFeatures, 1, dy, outFeatures, backwardWords, path, 1, dx, inFeatures, Parallelism.workers)
    }
}

/// A layer's slot for its frozen weight's bf16 packing, made on first use in `bf16` numerics and
/// again if the bf16 path changed. For weights that never change once loaded (quantized blocks):
/// a weight that can be written must not cache.
public final class BF16WeightCache: @unchecked Sendable {
    private let lock = NSLock()
    private var packed: BF16PackedWeight?

    public init() {}

    /// The packing when `numerics=bf16` is in force (building it with `weight`, which writes the
    /// float32 `[out, in]` values into the buffer it is given), else nil.
    public func packing(outFeatures: Int, inFeatures: Int, weight: (UnsafeMutablePointer<Float>) -> Void) -> BF16PackedWeight? {
        guard Numerics.mode == .bf16 else { return nil }
        lock.lock()
        defer { lock.unlock() }
        if let packed, packed.isCurrent { return packed }
        packed = nil  // free the stale packing before making the new one
        let values = UnsafeMutablePointer<Float>.allocate(capacity: outFeatures * inFeatures)
        defer { values.deallocate() }
        weight(values)
        let made = BF16PackedWeight(weight: values, outFeatures: outFeatures, inFeatures: inFeatures)
        packed = made
        return made
    }

    /// The packing made so far (nil before the first bf16 product).
    public var current: BF16PackedWeight? {
        lock.lock()
        defer { lock.unlock() }
        return packed
    }

    /// Drops the packing (its memory goes back at once).
    public func clear() {
        lock.lock()
        packed = nil
        lock.unlock()
    }
}
