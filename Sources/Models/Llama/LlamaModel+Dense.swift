import TensorCore

extension LlamaModel {
    /// A copy with every weight in float32 (quantized weights dequantized): what full
    /// fine-tuning trains. Projections wrapped by a method (LoRA) are not carried over.
    public func densified() throws -> LlamaModel {
        let dense = try LlamaModel(config: config)
        for tensor in dense.parameters.tensors {
            if let own = parameters[tensor.name] {
                tensor.copy(from: own)
            } else if let q = quantizedWeights[tensor.name] {
                q.dequantize(rows: 0..<q.rows, into: UnsafeMutableBufferPointer(start: tensor.pointer, count: tensor.count))
            } else {
                preconditionFailure("densified: \(tensor.name) is neither dense nor quantized")
            }
        }
        return dense
    }
}
