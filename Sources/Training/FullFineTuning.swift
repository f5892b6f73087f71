import Models
import TensorCore

/// Full fine-tuning: every parameter of the model's arena is trainable and gets a gradient
/// view into one contiguous buffer.
public enum FullFineTuning {
    /// Makes every base parameter trainable. Projections must be dense float32 (a quantized base
    /// has to be dequantized into the arena first) and must not carry an adapter.
    public static func apply(to model: LlamaModel) throws(TrainingError) -> TrainableParameters {
        for (module, layer) in model.linears.sorted(by: { $0.key < $1.key }) where !(layer is DenseLinear) {
            throw layer is LoRALinear ? .alreadyAdapted(module: module)
                : .invalidSetting(name: module, value: "\(type(of: layer))",
                                  expected: "a dense float32 projection: full fine-tuning cannot update a quantized weight (dequantize the model first)")
        }
        return TrainableParameters(arena: model.parameters)
    }
}
