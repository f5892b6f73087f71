import Models
import TensorCore

/// QLoRA's base: the model's projections replaced by frozen NF4 layers (block 64, bitsandbytes'
/// codebook, optionally double-quantized scales), dequantized on the fly.
public enum QuantizedBase {
    /// Quantizes every projection of `model` to NF4 — float32 ones and those kept in a GGUF block
    /// format (dequantized first) — and freezes the remaining float32 parameters (embeddings,
    /// norms, output layer). Returns the bytes the NF4 weights hold. A model loaded from a GGUF
    /// file then holds no float32 projection at all; one loaded from float32 safetensors keeps its
    /// arena (the originals, used when merging).
    @discardableResult
    public static func quantizeToNF4(_ model: LlamaModel, doubleQuant: Bool = true, blockSize: Int = 64) -> Int {
        var bytes = 0
        for (module, layer) in model.linears.sorted(by: { $0.key < $1.key }) {
            guard let dense = layer as? DenseWeightLinear, !(layer is NF4Linear) else { continue }
            let nf4 = NF4Linear(quantizing: dense.denseWeight(), bias: dense.bias, blockSize: blockSize, doubleQuant: doubleQuant)
            bytes += nf4.weight.byteCount
            model.linears[module] = nf4
        }
        model.parameters.freeze()
        return bytes
    }
}
