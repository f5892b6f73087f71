import Foundation

/// A float32 tensor: a row-major view (`shape`, `offset`) into a `TensorStorage`.
///
/// A tensor that `requiresGrad` gets a gradient buffer of its own shape (`grad`) when a backward
/// pass first reaches it; frozen tensors never get one.
public final class Tensor: CustomStringConvertible {
    public let shape: [Int]
    public let storage: TensorStorage
    public let offset: Int
    public let count: Int
    /// A dotted name (`layers.0.attn.q_proj.weight`) for parameters; empty for activations.
    public var name: String
    public var requiresGrad: Bool
    /// The accumulated gradient, same shape; `nil` until backward reaches this tensor.
    public var grad: Tensor?

    /// A view of `storage` starting at `offset`.
    public init(shape: [Int], storage: TensorStorage, offset: Int = 0, name: String = "", requiresGrad: Bool = false) {
        let count = shape.reduce(1, *)
        precondition(shape.allSatisfy { $0 >= 0 }, "tensor shape \(shape) has a negative dimension")
        precondition(offset >= 0 && offset + count <= storage.count,
                     "view of shape \(shape) at offset \(offset) overruns storage of \(storage.count) values")
        self.shape = shape
        self.storage = storage
        self.offset = offset
        self.count = count
        self.name = name
        self.requiresGrad = requiresGrad
    }

    /// A new tensor of zeros.
    public convenience init(zeros shape: [Int], name: String = "", requiresGrad: Bool = false) {
        self.init(shape: shape, storage: TensorStorage(count: shape.reduce(1, *)), name: name, requiresGrad: requiresGrad)
    }

    /// A new tensor whose values are not set: for the output of a kernel that writes every element
    /// (a GEMM with `beta = 0`, an elementwise op), saving the zero fill.
    public convenience init(uninitialized shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(count: shape.reduce(1, *), zeroed: false))
    }

    /// A new tensor holding `values` (row-major). Throws when the count does not fill `shape`.
    public convenience init(shape: [Int], values: [Float], name: String = "", requiresGrad: Bool = false) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw TensorError.invalidShape(shape) }
        let count = shape.reduce(1, *)
        guard values.count == count else { throw TensorError.valueCount(expected: count, got: values.count, shape: shape) }
        self.init(zeros: shape, name: name, requiresGrad: requiresGrad)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    /// A new tensor with values from `generator(index)`.
    public convenience init(shape: [Int], name: String = "", requiresGrad: Bool = false, _ generator: (Int) -> Float) {
        self.init(zeros: shape, name: name, requiresGrad: requiresGrad)
        for i in 0..<count { pointer[i] = generator(i) }
    }

    /// First element of this view. The pointer is valid only while this tensor (or another owner of
    /// its storage) is alive: under -O an object can be released right after its last use, so
    /// never read through `someCall().pointer`; keep the tensor in a variable used afterwards or in
    /// `withExtendedLifetime`.
    @inlinable public var pointer: UnsafeMutablePointer<Float> { storage.base + offset }

    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// A copy of the values, row-major.
    public var values: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// Element at a flat row-major index.
    public subscript(flat index: Int) -> Float {
        get { precondition(index >= 0 && index < count, "index \(index) outside \(shape)"); return pointer[index] }
        set { precondition(index >= 0 && index < count, "index \(index) outside \(shape)"); pointer[index] = newValue }
    }

    /// Element at a multi-dimensional index.
    public subscript(_ indices: Int...) -> Float {
        get { pointer[flatIndex(indices)] }
        set { pointer[flatIndex(indices)] = newValue }
    }

    func flatIndex(_ indices: [Int]) -> Int {
        precondition(indices.count == shape.count, "index \(indices) has \(indices.count) dimensions, tensor has shape \(shape)")
        var flat = 0
        for (i, (index, dim)) in zip(indices, shape).enumerated() {
            precondition(index >= 0 && index < dim, "index \(indices) outside shape \(shape) at dimension \(i)")
            flat = flat * dim + index
        }
        return flat
    }

    /// Product of all dimensions but the last (the "rows" a row-wise kernel sees).
    public var rows: Int { shape.isEmpty ? 1 : count / max(shape.last!, 1) }
    /// The last dimension.
    public var columns: Int { shape.last ?? 1 }

    /// A view of the same values with another shape of the same size (shares storage, no grad link:
    /// use `Tape.reshape` inside a recorded computation).
    public func viewing(as newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot view \(shape) as \(newShape): sizes differ")
        return Tensor(shape: newShape, storage: storage, offset: offset, name: name, requiresGrad: requiresGrad)
    }

    /// Returns the gradient buffer, allocating zeros on first use.
    @discardableResult
    public func ensureGrad() -> Tensor {
        if let grad { return grad }
        let g = Tensor(zeros: shape, name: name.isEmpty ? "" : name + ".grad")
        grad = g
        return g
    }

    /// Sets the gradient to zero (keeps the buffer).
    public func zeroGrad() { grad?.fill(0) }

    /// Sets every element to `value`.
    public func fill(_ value: Float) { pointer.update(repeating: value, count: count) }

    /// Copies `other`'s values (same count) into this tensor.
    public func copy(from other: Tensor) {
        precondition(other.count == count, "copy: \(other.shape) into \(shape)")
        pointer.update(from: other.pointer, count: count)
    }

    public var description: String {
        let preview = values.prefix(6).map { String(format: "%.4g", Double($0)) }.joined(separator: ", ")
        return "Tensor\(shape)\(name.isEmpty ? "" : " \(name)") [\(preview)\(count > 6 ? ", …" : "")]"
    }
}
