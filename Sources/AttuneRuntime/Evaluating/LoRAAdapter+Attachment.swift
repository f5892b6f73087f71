import Models
import Training

extension LoRAAdapter {
    /// Puts the adapter's wrapped layers back on `model` (after `remove(from:)`).
    func attach(to model: LlamaModel) {
        for (module, layer) in layers { model.linears[module] = layer }
    }

    /// Runs `body` with the adapter taken off `model` (the base model answers), then puts it back,
    /// also when `body` throws.
    func withoutAdapter<T>(on model: LlamaModel, _ body: () throws -> T) rethrows -> T {
        remove(from: model)
        defer { attach(to: model) }
        return try body()
    }

    /// `lora r=16 alpha=32 on q_proj, v_proj (60 modules)`.
    var shortDescription: String {
        let c = configuration
        let projections = c.targets.projections.joined(separator: ", ")
        return "lora r=\(c.rank) alpha=\(NumberText.short(c.alpha)) on \(projections) (\(layers.count) modules)"
    }
}
