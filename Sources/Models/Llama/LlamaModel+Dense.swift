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

extension LlamaModel {
    /// A copy with every matrix (projections, embedding, output head) stored as `type` (`.bf16`:
    /// half the bytes of float32, 8 bits of mantissa) and frozen; norms, biases and projections
    /// with a bias stay float32.
    /// Quantized weights are dequantized first, so converting a Q4_1 file to bf16 grows it.
    /// The base LoRA trains over when memory is short but NF4 is too coarse.
    public func converted(to type: GGMLType) throws -> LlamaModel {
        var matrices = [String: QuantizedMatrix]()
        // Projections with a bias (Qwen2's q, k, v) stay float32: quantized layers carry no bias.
        for (name, shape) in config.parameterShapes where shape.count == 2 && parameters[name.replacingOccurrences(of: ".weight", with: ".bias")] == nil {
            let values: [Float]
            if let own = parameters[name] { values = own.values } else if let q = quantizedWeights[name] { values = q.dequantized() } else {
                preconditionFailure("converted: \(name) is neither dense nor quantized")
            }
            matrices[name] = try QuantizedMatrix(quantizing: values, rows: shape[0], cols: shape[1], type: type)
        }
        let model = try LlamaModel(config: config, quantizedWeights: matrices)
        for tensor in model.parameters.tensors {
            if let own = parameters[tensor.name] {
                tensor.copy(from: own)
            } else if let q = quantizedWeights[tensor.name] {
                q.dequantize(rows: 0..<q.rows, into: UnsafeMutableBufferPointer(start: tensor.pointer, count: tensor.count))
            }
        }
        return model
    }
}
