import Models
import Training

/// An adapter read with `adapter load`: the adapter, the model it wraps, and the folder as the
/// user wrote it (for messages). Dropout stays off: a loaded adapter is for evaluation and
/// generation; `train` starts a new adapter in its place.
public struct LoadedAdapter {
    public let adapter: LoRAAdapter
    /// The model whose projections the adapter wraps.
    public let model: LlamaModel
    /// The folder as written (`out/triage-lora`).
    public let folder: String

    public init(adapter: LoRAAdapter, model: LlamaModel, folder: String) {
        self.adapter = adapter
        self.model = model
        self.folder = folder
    }
}
