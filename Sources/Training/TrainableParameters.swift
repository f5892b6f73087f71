import Models
import TensorCore

/// The parameters an optimizer updates: one contiguous arena of values and a gradient buffer of
/// the same size (DESIGN §5), so clipping, AdamW and checkpoints are flat loops over
/// `values[0..<count]` and `gradients[0..<count]`. Every view of the arena gets its gradient as a
/// view into `gradients` at the same offset.
public final class TrainableParameters {
    public let arena: ParameterArena
    /// Gradient values, `count` floats mirroring `arena.storage`.
    public let gradients: TensorStorage

    /// Marks every view of `arena` trainable.
    public init(arena: ParameterArena) {
        self.arena = arena
        gradients = arena.makeTrainable()
    }

    /// Number of trainable values.
    public var count: Int { arena.count }
    /// The named views, in arena order.
    public var tensors: [Tensor] { arena.tensors }
    /// First value (valid while `arena` is alive).
    public var values: UnsafeMutablePointer<Float> { arena.storage.base }

    /// Sets every gradient to zero (the buffer is kept).
    public func zeroGradients() { TensorStorage.zero(gradients.base, count: gradients.count) }

    /// A copy of every value, in arena order.
    public func snapshot() -> [Float] { Array(UnsafeBufferPointer(start: values, count: count)) }

    /// Restores values taken by `snapshot()`.
    public func restore(_ snapshot: [Float]) {
        precondition(snapshot.count == count, "restore: snapshot of \(snapshot.count) values for \(count) parameters")
        snapshot.withUnsafeBufferPointer { values.update(from: $0.baseAddress!, count: count) }
    }
}
