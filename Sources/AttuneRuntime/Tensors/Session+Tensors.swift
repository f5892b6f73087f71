import AttuneLanguage
import Essentials
import Models

extension Session {
    /// The tensor named `name` (short or Hugging Face): a model parameter, or an A or B matrix of
    /// the session's LoRA adapter (`layers.0.attn.q_proj.lora_B`; PEFT names work too), which
    /// exists once training has started or an adapter was loaded.
    func tensorEntry(_ name: String) -> TensorCatalog.Entry? {
        guard let loaded = model else { return nil }
        if let entry = loaded.catalog.entry(name) { return entry }
        guard let adapter else { return nil }
        for tensor in adapter.parameters.tensors {
            let short = ParameterNames.short(tensor.name)
            if short == name || tensor.name == name {
                return TensorCatalog.Entry(short: short, huggingFace: tensor.name, storage: .float32(tensor))
            }
        }
        return nil
    }

    /// Every tensor name there is now (model and adapter), short, for "did you mean".
    var tensorNames: [String] {
        (model?.catalog.entries.map(\.short) ?? []) + (adapter?.parameters.tensors.map { ParameterNames.short($0.name) } ?? [])
    }

    /// Why `name` names no tensor, with the nearest name: an adapter matrix asked for before
    /// there is an adapter says when there will be one.
    func unknownTensorMessage(_ name: String) -> (message: String, suggestion: String?) {
        if name.contains("lora_"), adapter == nil {
            return ("no tensor '\(name.clippedForMessage)' yet: LoRA matrices exist once training has started (train) or an adapter is loaded (adapter load PATH)", nil)
        }
        let guess = suggest(name, from: tensorNames)
        return ("no tensor or variable '\(name.clippedForMessage)'" + (guess.map { " — did you mean '\($0)'?" } ?? "; list shows the tensor names"), guess)
    }
}
