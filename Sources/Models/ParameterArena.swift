import TensorCore

/// Parameters in one contiguous buffer with named views (DESIGN §5): checkpointing and
/// optimizers can treat the arena as one flat vector, and every view has its Hugging Face name.
public final class ParameterArena {
    public let storage: TensorStorage
    /// Views in declaration order.
    public let tensors: [Tensor]
    private let byName: [String: Tensor]

    /// Lays out `shapes` back to back in a new zeroed buffer.
    public init(shapes: [(name: String, shape: [Int])]) {
        let total = shapes.reduce(0) { $0 + $1.shape.reduce(1, *) }
        storage = TensorStorage(count: total)
        var offset = 0
        var list = [Tensor]()
        for (name, shape) in shapes {
            list.append(Tensor(shape: shape, storage: storage, offset: offset, name: name))
            offset += shape.reduce(1, *)
        }
        tensors = list
        byName = Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0) })
    }

    public subscript(name: String) -> Tensor? { byName[name] }

    /// Total number of values.
    public var count: Int { storage.count }

    /// Marks every view trainable and gives each a gradient view into one contiguous gradient
    /// buffer (so clipping and AdamW run as flat loops). Returns that buffer.
    @discardableResult
    public func makeTrainable() -> TensorStorage {
        let grads = TensorStorage(count: storage.count)
        for t in tensors {
            t.requiresGrad = true
            t.grad = Tensor(shape: t.shape, storage: grads, offset: t.offset, name: t.name + ".grad")
        }
        return grads
    }

    /// Marks every view frozen and drops gradient buffers.
    public func freeze() {
        for t in tensors { t.requiresGrad = false; t.grad = nil }
    }
}
