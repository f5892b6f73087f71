import Essentials
import Models
import TensorCore

/// A LoRA adapter applied to a model: the configuration, the wrapped layers by module name, and
/// every A and B matrix in one trainable arena named as PEFT names them
/// (`base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight`).
public final class LoRAAdapter {
    public let configuration: LoRAConfiguration
    /// A and B of every adapted module, in model order (A then B per module).
    public let parameters: TrainableParameters
    /// The wrapped layers in model order.
    public let layers: [(module: String, layer: LoRALinear)]
    /// Keys of `adapter_config.json` that Attune does not interpret, kept so a loaded adapter is
    /// written back with the same configuration.
    public var preservedConfig: [String: JSONValue] = [:]
    /// The base model's name or path, for `base_model_name_or_path`.
    public var baseModelName: String?

    init(configuration: LoRAConfiguration, parameters: TrainableParameters, layers: [(module: String, layer: LoRALinear)]) {
        self.configuration = configuration
        self.parameters = parameters
        self.layers = layers
    }

    /// Number of trainable values (`Σ r·(in + out)`).
    public var trainableParameterCount: Int { parameters.count }

    /// The wrapped layer of `module` (`model.layers.0.self_attn.q_proj`).
    public func layer(_ module: String) -> LoRALinear? { layers.first { $0.module == module }?.layer }

    /// Dropout on (training) or off (evaluation, generation).
    public func setTraining(_ training: Bool) { for entry in layers { entry.layer.isTraining = training } }

    /// Restores the base layers in `model` (the adapter's tensors stay usable).
    public func remove(from model: LlamaModel) {
        for (module, layer) in layers where model.linears[module] === layer { model.linears[module] = layer.reverted() }
    }

    /// Replaces every wrapped layer of `model` by a dense layer with `s·B·A` folded in.
    public func merge(into model: LlamaModel) {
        for (module, layer) in layers where model.linears[module] === layer { model.linears[module] = layer.merged() }
    }

    /// PEFT's name of the A matrix of `module`.
    public static func nameA(_ module: String) -> String { "base_model.model.\(module).lora_A.weight" }
    /// PEFT's name of the B matrix of `module`.
    public static func nameB(_ module: String) -> String { "base_model.model.\(module).lora_B.weight" }
}
