import TensorCore

/// The token embedding table `[V, C]`: float32 (trainable when its tensor is) or kept in its
/// file's quantization (frozen; rows dequantized as they are looked up).
public enum TokenEmbedding {
    case dense(Tensor)
    case quantized(QuantizedMatrix)

    public var vocabularySize: Int {
        switch self {
        case .dense(let t): t.shape[0]
        case .quantized(let q): q.rows
        }
    }

    /// Rows for `ids` as `[N, C]`.
    public func forward(_ ids: [Int32], tape: Tape) -> Tensor {
        switch self {
        case .dense(let table):
            return tape.embedding(ids, table)
        case .quantized(let q):
            let y = Tensor(zeros: [ids.count, q.cols])
            for (i, id) in ids.enumerated() {
                precondition(id >= 0 && Int(id) < q.rows, "embedding: token id \(id) outside the vocabulary 0..<\(q.rows)")
                q.dequantizeRow(Int(id), into: UnsafeMutableBufferPointer(start: y.pointer + i * q.cols, count: q.cols))
            }
            return y
        }
    }

    /// The same matrix used as an output projection (tied embeddings): `logits = x · Eᵀ`.
    public var asLinear: LinearLayer {
        switch self {
        case .dense(let t): DenseLinear(weight: t)
        case .quantized(let q): QuantizedLinear(weight: q)
        }
    }
}
