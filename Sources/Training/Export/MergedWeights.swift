import Models
import TensorCore

/// The weights of a model with its LoRA adapter folded in, one tensor at a time, under Hugging
/// Face names and shapes (`config.parameterShapes`), rows in the model's own order (file writers
/// reorder Q/K with `RotaryRowOrder`).
///
/// For an adapted projection with base `W [out, in]`, `A [R, in]`, `B [out, R]` and scale `s`:
/// ```
/// W' = W + s · B · A                                  [out, in]
/// ```
/// `W` is the model's *original* weight: its float32 arena entry, or the block-quantized matrix
/// it was loaded with (Q4_1, Q8_0, …) dequantized. A QLoRA run trains over an NF4 copy of the
/// projections (`QuantizedBase`) but leaves those originals in the model, so the merge never
/// folds the update into the 4-bit approximation. Unadapted tensors come back as stored: float32
/// values, or the quantized matrix untouched (a writer may copy its blocks as they are).
public struct MergedWeights {
    /// One tensor's contents.
    public enum Content {
        case floats([Float])
        case quantized(QuantizedMatrix)
    }

    public let model: LlamaModel
    /// The adapter folded in (nil: the model's weights as they are, e.g. after full fine-tuning).
    public let adapter: LoRAAdapter?

    public init(model: LlamaModel, adapter: LoRAAdapter?) {
        self.model = model
        self.adapter = adapter
    }

    public var config: LlamaConfiguration { model.config }

    /// Every tensor name with its row-major shape, in checkpoint order.
    public var entries: [(name: String, shape: [Int])] { model.config.parameterShapes }

    /// Whether `name` (`….q_proj.weight`) receives an adapter update.
    public func isAdapted(_ name: String) -> Bool { adaptedLayer(name) != nil }

    private func adaptedLayer(_ name: String) -> LoRALinear? {
        guard let adapter, name.hasSuffix(".weight") else { return nil }
        return adapter.layer(String(name.dropLast(".weight".count)))
    }

    /// The original (pre-adapter, pre-NF4) contents of `name`.
    public func original(_ name: String) -> Content {
        if let q = model.quantizedWeights[name] { return .quantized(q) }
        guard let tensor = model.parameters[name] else { preconditionFailure("merged weights: the model has no tensor \(name)") }
        return .floats(withExtendedLifetime(tensor) { tensor.values })
    }

    /// The contents of `name` with the adapter folded in.
    public func content(_ name: String) -> Content {
        guard let layer = adaptedLayer(name) else { return original(name) }
        var w = floats(original(name))
        let delta = layer.deltaWeight()                                  // s·B·A [out, in]
        precondition(delta.count == w.count, "merged weights: update \(delta.shape) does not fit \(name)")
        withExtendedLifetime(delta) {
            let d = delta.pointer
            for i in w.indices { w[i] += d[i] }
        }
        return .floats(w)
    }

    /// The contents of `name` as float32 values (quantized tensors dequantized).
    public func floats(_ name: String) -> [Float] { floats(content(name)) }

    /// Float32 values of a content.
    public func floats(_ content: Content) -> [Float] {
        switch content {
        case .floats(let values): return values
        case .quantized(let q): return q.dequantized()
        }
    }

    /// A dense float32 model holding the merged weights (Hugging Face row order as the model
    /// had it): the in-memory equivalent of the exported files.
    public func denseModel() throws -> LlamaModel {
        let dense = try LlamaModel(config: model.config)
        for tensor in dense.parameters.tensors {
            let values = floats(tensor.name)
            values.withUnsafeBufferPointer { tensor.pointer.update(from: $0.baseAddress!, count: tensor.count) }
        }
        return dense
    }
}
