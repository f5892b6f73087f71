import Synchronization

/// The engine's own account of its tensor memory: the bytes held by live `TensorStorage`s (what
/// each asked for, `count × 4`), and the most held at once since `resetPeak()`. It counts weights
/// kept as float32, activations, gradients and optimizer moments, and not what lives outside a
/// tensor (quantized blocks, the tokenizer, the allocator's own slack and the pool's idle buffers),
/// so `estimate` can be checked against it term by term.
public enum TensorMemory {
    private static let live = Atomic<Int>(0)
    private static let peak = Atomic<Int>(0)

    /// Bytes held by tensor storages now.
    public static var liveBytes: Int { live.load(ordering: .relaxed) }

    /// The most bytes held at once since the last `resetPeak()` (or the start of the process).
    public static var peakBytes: Int { peak.load(ordering: .relaxed) }

    /// Starts a new peak window at the bytes held now.
    public static func resetPeak() { peak.store(live.load(ordering: .relaxed), ordering: .relaxed) }

    /// Counts `bytes` taken outside a storage (scratch buffers, optimizer moments) until `freed`.
    public static func allocated(_ bytes: Int) {
        let now = live.wrappingAdd(bytes, ordering: .relaxed).newValue
        var seen = peak.load(ordering: .relaxed)
        while now > seen {
            let (exchanged, original) = peak.compareExchange(expected: seen, desired: now, ordering: .relaxed)
            if exchanged { break }
            seen = original
        }
    }

    public static func freed(_ bytes: Int) { live.wrappingSubtract(bytes, ordering: .relaxed) }
}
