/// One contiguous, owned buffer of float32 values. Tensors are views into a storage, so a
/// parameter arena (every frozen weight in one buffer, every trainable weight in another) is one
/// storage with many named views.
public final class TensorStorage: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Float>
    public let count: Int

    /// Allocates `count` floats set to zero.
    public init(count: Int) {
        precondition(count >= 0, "storage size must be non-negative, got \(count)")
        base = .allocate(capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
        self.count = count
    }

    deinit { base.deallocate() }
}
