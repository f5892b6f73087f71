import TensorCore

/// Keys and values of every layer for one sequence, so generation feeds only new tokens.
///
/// Per layer two buffers `[capacity, K, D]`; the first `length` positions are filled. A step
/// appends `T` new positions and attention reads positions `0 ..< length + T`.
public final class KVCache {
    public let capacity: Int
    public private(set) var length = 0
    private let keys: [Tensor]
    private let values: [Tensor]
    private let width: Int

    public init(config: LlamaConfiguration, capacity: Int, largePages: Bool = true) {
        precondition(capacity > 0, "KV cache capacity must be positive, got \(capacity)")
        self.capacity = capacity
        width = config.kvHeads * config.headDim
        let shape = [capacity, config.kvHeads, config.headDim], count = capacity * width
        func buffer() -> Tensor {
            Tensor(shape: shape, storage: largePages ? TensorStorage(largePages: count) : TensorStorage(count: count))
        }
        keys = (0..<config.layers).map { _ in buffer() }
        values = (0..<config.layers).map { _ in buffer() }
    }

    /// Positions still free.
    public var remaining: Int { capacity - length }

    /// Copies `keys`/`values` `[1, T, K, D]` after the cached positions of `layer` and returns
    /// views `[1, length + T, K, D]` of everything cached so far (inference only: no gradient).
    func append(layer: Int, keys k: Tensor, values v: Tensor) -> (Tensor, Tensor) {
        let t = k.shape[1]
        precondition(length + t <= capacity, "KV cache full: \(length) + \(t) positions exceed its capacity \(capacity)")
        (keys[layer].pointer + length * width).update(from: k.pointer, count: t * width)
        (values[layer].pointer + length * width).update(from: v.pointer, count: t * width)
        let shape = [1, length + t, k.shape[2], k.shape[3]]
        return (Tensor(shape: shape, storage: keys[layer].storage), Tensor(shape: shape, storage: values[layer].storage))
    }

    /// Copies one position's keys and values (`K·D` floats each) after the cached positions of
    /// `layer` and returns the layer's buffers, `length + 1` positions filled (decoding's tape-free step).
    func appendOne(layer: Int, keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>) -> (keys: UnsafePointer<Float>, values: UnsafePointer<Float>) {
        precondition(length < capacity, "KV cache full: \(length) + 1 positions exceed its capacity \(capacity)")
        (keys[layer].pointer + length * width).update(from: k, count: width)
        (values[layer].pointer + length * width).update(from: v, count: width)
        return (UnsafePointer(keys[layer].pointer), UnsafePointer(values[layer].pointer))
    }

    /// Marks `count` appended positions as filled (after every layer appended them).
    func advance(by count: Int) { length += count }

    /// Forgets everything (keeps the buffers).
    public func reset() { length = 0 }

    /// Drops positions after `newLength` (to re-generate from a shared prefix).
    public func truncate(to newLength: Int) {
        precondition(newLength >= 0 && newLength <= length, "cannot truncate a cache of \(length) to \(newLength)")
        length = newLength
    }
}
