import Models
import Tokenization

/// The session's model with what the REPL says about it: a name, where it came from, and its
/// tokenizer when there is one. `engine` is the Models module's bundle (chat template,
/// generation) when the model came with a tokenizer.
public final class SessionModel {
    /// `tiny`, or the folder or file name it was loaded from.
    public let name: String
    /// `random init (seed 42)`, or the path as the user wrote it.
    public let origin: String
    public let model: LlamaModel
    public let tokenizer: (any Tokenizer)?
    /// `256 bytes + 3 ChatML specials`, `byte-level BPE, 49152 tokens`, …
    public let tokenizerSummary: String
    /// The names parameters are shown and found by.
    public let catalog: TensorCatalog
    /// The full bundle (tokenizer, chat template, source) when there is one.
    public let engine: Models.LoadedModel?

    public init(name: String, origin: String, model: LlamaModel, tokenizer: (any Tokenizer)?, tokenizerSummary: String,
                engine: Models.LoadedModel? = nil) {
        self.engine = engine
        self.name = name
        self.origin = origin
        self.model = model
        self.tokenizer = tokenizer
        self.tokenizerSummary = tokenizerSummary
        self.catalog = TensorCatalog(model: model)
    }
}

extension SessionModel {
    /// Wraps a model bundle from the Models module.
    convenience init(_ loaded: Models.LoadedModel, origin: String) {
        self.init(name: loaded.name, origin: origin, model: loaded.model, tokenizer: loaded.tokenizer,
                  tokenizerSummary: "\(loaded.tokenizer)", engine: loaded)
    }
}
