import Models
import Tokenization

/// The session's model with what the REPL says about it: a name, where it came from, and its
/// tokenizer when there is one.
public final class LoadedModel {
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

    public init(name: String, origin: String, model: LlamaModel, tokenizer: (any Tokenizer)?, tokenizerSummary: String) {
        self.name = name
        self.origin = origin
        self.model = model
        self.tokenizer = tokenizer
        self.tokenizerSummary = tokenizerSummary
        self.catalog = TensorCatalog(model: model)
    }
}
