import Foundation

/// One contiguous, owned buffer of float32 values. Tensors are views into a storage, so a
/// parameter arena (every frozen weight in one buffer, every trainable weight in another) is one
/// storage with many named views.
public final class TensorStorage: @unchecked Sendable {
    /// The first value; after `releaseValues()` an address that faults on any access.
    public private(set) var base: UnsafeMutablePointer<Float>
    public let count: Int
    /// Whether `releaseValues()` has handed the buffer back.
    public private(set) var isReleased = false
    /// The memory of a storage made with `init(largePages:)`, freed with it.
    private var largePagesBlock: LargePages.Block?

    /// Allocates `count` floats, set to zero unless `zeroed` is false (then the contents are
    /// whatever the memory held: only for outputs a kernel overwrites in full). Large buffers come
    /// from `BufferPool` when one of the same size class was freed, so a training step reuses the
    /// previous step's activation memory.
    public init(count: Int, zeroed: Bool = true) {
        precondition(count >= 0, "storage size must be non-negative, got \(count)")
        let capacity = BufferPool.capacity(for: max(count, 1))
        base = BufferPool.shared.take(capacity) ?? .allocate(capacity: capacity)
        if zeroed { TensorStorage.zero(base, count: max(count, 1)) }
        self.count = count
        TensorMemory.allocated(count * MemoryLayout<Float>.stride)
    }

    /// `count` floats, all +0, in 2 MiB pages where the system gives them (`LargePages`): for a
    /// buffer every decoded token streams through, the KV cache. Fresh pages from `mmap`, so zero
    /// already (a block is never handed out twice); the memory goes with the storage, not to the pool.
    public init(largePages count: Int) {
        precondition(count >= 0, "storage size must be non-negative, got \(count)")
        let block = LargePages.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride)
        largePagesBlock = block
        base = block.pointer.bindMemory(to: Float.self, capacity: max(count, 1))
        self.count = count
        TensorMemory.allocated(count * MemoryLayout<Float>.stride)
    }

    /// Sets `count` floats at `pointer` to +0, on every core for a large buffer (a gradient
    /// buffer's zero-fill on one core left the other waiting: 1–6% of a training step).
    public static func zero(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        guard count >= 1 << 18 else { return pointer.initialize(repeating: 0, count: count) }
        let start = UncheckedSendable(pointer)
        parallelChunks(count, minChunk: 1 << 17) { _, range in
            (start.value + range.lowerBound).initialize(repeating: 0, count: range.count)
        }
    }

    deinit {
        if !isReleased { giveBack() }
    }

    /// Hands the values' memory back now, while tensors viewing this storage stay alive for their
    /// gradients: for an activation whose values no recorded backward step reads (a frozen
    /// projection's input: its backward needs only the weight and the output's gradient), so a
    /// training step's activation peak does not hold it until backward. Any later access to the
    /// values faults at once (the base becomes an unmapped address) rather than reading stale memory.
    public func releaseValues() {
        guard !isReleased else { return }
        giveBack()
        isReleased = true
        base = UnsafeMutablePointer(bitPattern: TensorStorage.releasedAddress)!
    }

    /// An address in the never-mapped first page: reading a released storage's values faults.
    private static let releasedAddress = 0x40

    private func giveBack() {
        TensorMemory.freed(count * MemoryLayout<Float>.stride)
        guard largePagesBlock == nil else { return largePagesBlock = nil }
        BufferPool.shared.give(base, capacity: BufferPool.capacity(for: max(count, 1)))
    }

    /// Ends one generation of the buffer pool: free buffers given back before the previous
    /// generation and not taken since are handed back to the system. A training loop calls it
    /// after each micro-batch, so the pool keeps what the next micro-batch will ask for again
    /// (its shapes repeat) and lets go of sizes a batch of another length left behind.
    public static func endPoolGeneration() { BufferPool.shared.endGeneration() }

    /// Hands every pooled free buffer back to the system: what a long session calls between runs,
    /// so one run's activation sizes do not stay resident through the next (`RunMemoryWindow`).
    /// Returns the bytes released.
    @discardableResult
    public static func releasePooledBuffers() -> Int { BufferPool.shared.drain() }
}

/// Freed large float buffers kept by size class for reuse.
///
/// Every training step allocates the same activation shapes again. Handing those back to the
/// system and faulting fresh zeroed pages in cost about 13% of a SmolLM2 LoRA step in kernel
/// page clearing; reusing them costs one memset. Buffers below `minimumCount` go straight to
/// malloc; the pool holds at most `limitBytes`, releasing the rest.
///
/// Buffers not taken for a whole generation (a training micro-batch, `endPoolGeneration`) are
/// freed, so the pool holds about one micro-batch's activations rather than every size seen.
/// Sizes are rounded up to a class, eight per power of two (`capacity(for:)`, at most 12.5%
/// more than asked): batches of different sequence lengths then share buffers. Pooled by exact
/// size, every length seen kept its own buffers, and a SmolLM2 LoRA session on the triage tickets
/// (lengths 60-192) held the whole 4 GiB limit of buffers it would never reuse.
final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool()

    /// Smallest buffer worth pooling (256 KiB).
    static let minimumCount = 65_536
    /// Most memory the pool keeps (`ATTUNE_POOL_MB`, default 4096).
    let limitBytes: Int = {
        if let text = ProcessInfo.processInfo.environment["ATTUNE_POOL_MB"], let mb = Int(text), mb >= 0 { return mb << 20 }
        return 4096 << 20
    }()

    private let lock = NSLock()
    /// Free buffers by capacity, each with the generation it was given back in.
    private var free: [Int: [(buffer: UnsafeMutablePointer<Float>, generation: Int)]] = [:]
    private var heldBytes = 0
    private var generation = 0

    /// The size class of a request of `count` floats: `count` itself below `minimumCount`, else
    /// the smallest `2^k · (8 + j) / 8` (j in 0..<8) that holds it.
    static func capacity(for count: Int) -> Int {
        guard count > minimumCount else { return count }
        let octave = Int.bitWidth - 1 - count.leadingZeroBitCount  // 2^octave <= count
        let step = 1 << (octave - 3)
        return (count + step - 1) / step * step
    }

    /// Frees every pooled buffer; returns the bytes released.
    func drain() -> Int {
        lock.lock()
        let buffers = free.values.flatMap { $0.map(\.buffer) }
        let released = heldBytes
        free = [:]
        heldBytes = 0
        lock.unlock()
        for buffer in buffers { buffer.deallocate() }
        return released
    }

    /// Starts a new generation, freeing the buffers given back two or more generations ago (not
    /// wanted during the whole last one).
    func endGeneration() {
        lock.lock()
        generation += 1
        var stale: [UnsafeMutablePointer<Float>] = []
        for (capacity, entries) in free {
            let keep = entries.filter { $0.generation >= generation - 1 }
            guard keep.count < entries.count else { continue }
            stale += entries.filter { $0.generation < generation - 1 }.map(\.buffer)
            heldBytes -= (entries.count - keep.count) * capacity * MemoryLayout<Float>.stride
            free[capacity] = keep.isEmpty ? nil : keep
        }
        lock.unlock()
        for buffer in stale { buffer.deallocate() }
    }

    func take(_ capacity: Int) -> UnsafeMutablePointer<Float>? {
        guard capacity >= Self.minimumCount else { return nil }
        lock.lock(); defer { lock.unlock() }
        guard let entry = free[capacity]?.popLast() else { return nil }
        heldBytes -= capacity * MemoryLayout<Float>.stride
        return entry.buffer
    }

    func give(_ buffer: UnsafeMutablePointer<Float>, capacity: Int) {
        let bytes = capacity * MemoryLayout<Float>.stride
        if capacity >= Self.minimumCount {
            lock.lock()
            if heldBytes + bytes <= limitBytes {
                free[capacity, default: []].append((buffer, generation))
                heldBytes += bytes
                lock.unlock()
                return
            }
            lock.unlock()
        }
        buffer.deallocate()
    }
}
