import Models
import TensorCore

/// Applies a LoRA configuration to a model: wraps the targeted projections, freezes every base
/// parameter (no gradient buffers, so no optimizer state either) and gathers every A and B into
/// one trainable arena.
public enum LoRAApplier {
    /// Wraps the targeted entries of `model.linears` and returns the adapter.
    ///
    /// A is initialised Kaiming-uniform (bound 1/√in) from a generator seeded by
    /// `(configuration.seed, module name)`, so adding a target never changes another module's
    /// initial values; B starts at zero. Each layer's dropout stream is seeded the same way.
    public static func apply(_ configuration: LoRAConfiguration, to model: LlamaModel) throws(TrainingError) -> LoRAAdapter {
        try configuration.validate(for: model.config)
        let modules = configuration.adaptedModules(for: model.config)
        for entry in modules {
            guard let existing = model.linears[entry.module] else { throw .missingModule(entry.module) }
            if existing is LoRALinear { throw .alreadyAdapted(module: entry.module) }
            guard existing.inFeatures == entry.inFeatures, existing.outFeatures == entry.outFeatures else {
                throw .invalidSetting(name: entry.module, value: "\(existing.inFeatures) → \(existing.outFeatures)",
                                      expected: "\(entry.inFeatures) → \(entry.outFeatures) as the configuration implies")
            }
        }
        var shapes = [(name: String, shape: [Int])]()
        for entry in modules {
            shapes.append((LoRAAdapter.nameA(entry.module), [configuration.rank, entry.inFeatures]))
            shapes.append((LoRAAdapter.nameB(entry.module), [entry.outFeatures, configuration.rank]))
        }
        let arena = ParameterArena(shapes: shapes)
        let parameters = TrainableParameters(arena: arena)
        model.parameters.freeze()
        var layers = [(module: String, layer: LoRALinear)]()
        for entry in modules {
            let a = arena[LoRAAdapter.nameA(entry.module)]!, b = arena[LoRAAdapter.nameB(entry.module)]!
            var initGenerator = RandomGenerator(seed: configuration.seed, purpose: "lora.init." + entry.module)
            LoRALinear.initializeA(a, generator: &initGenerator)
            let layer = LoRALinear(base: model.linears[entry.module]!, a: a, b: b, scale: configuration.scale,
                                   dropout: Float(configuration.dropout),
                                   dropoutGenerator: RandomGenerator(seed: configuration.seed, purpose: "lora.dropout." + entry.module))
            model.linears[entry.module] = layer
            layers.append((entry.module, layer))
        }
        return LoRAAdapter(configuration: configuration, parameters: parameters, layers: layers)
    }
}
