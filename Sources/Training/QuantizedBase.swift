import Models
import TensorCore

/// QLoRA's base: the model's projections replaced by frozen NF4 layers (block 64, bitsandbytes'
/// codebook, optionally double-quantized scales), dequantized on the fly.
public enum QuantizedBase {
    /// Quantizes every dense projection of `model` to NF4 and freezes the remaining float32
    /// parameters (embeddings, norms, output layer). Returns the bytes the NF4 weights hold.
    @discardableResult
    public static func quantizeToNF4(_ model: LlamaModel, doubleQuant: Bool = true, blockSize: Int = 64) -> Int {
        var bytes = 0
        for (module, layer) in model.linears.sorted(by: { $0.key < $1.key }) {
            guard let dense = layer as? DenseLinear else { continue }
            let nf4 = NF4Linear(quantizing: dense.weight, bias: dense.bias, blockSize: blockSize, doubleQuant: doubleQuant)
            bytes += nf4.weight.byteCount
            model.linears[module] = nf4
        }
        model.parameters.freeze()
        return bytes
    }
}
