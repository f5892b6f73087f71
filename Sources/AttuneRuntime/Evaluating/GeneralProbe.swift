import Datasets
import Foundation

/// The general-capability probe `eval general` runs: 105 short chat items written for Attune
/// (arithmetic, facts, following a stated format, refusing nonsense, short instructions), each
/// with its own check (`check` field: exact, contains, or regex with a `pattern`) and a
/// `category`. It is compiled in (``builtinText``, generated from the shipped
/// `Notebooks/data/general-probe.jsonl`), so it needs no file; `probe=PATH` runs another.
///
/// A probe measures what fine-tuning may cost outside its task (catastrophic forgetting): run it
/// before and after training, and `compare` shows the pass rates side by side with the items
/// that regressed.
enum GeneralProbe {
    /// How the built-in probe names its examples (`general-probe.jsonl:12`).
    static let fileName = "general-probe.jsonl"
    /// Most new tokens per reply: the answers are a few words, so room for a short sentence (and
    /// 105 replies stay within two minutes on two cores).
    static let defaultMaxTokens = 16

    /// The built-in probe as an evaluation set.
    static func builtinSet() throws -> EvaluationSet {
        let dataset = try DatasetLoader.parse(builtinText, file: fileName, format: .chat)
        return EvaluationSet(name: "general probe", examples: dataset.examples, fileName: fileName,
                             ids: dataset.examples.map { "\(fileName):\($0.line)" }, path: "",
                             contents: Data(builtinText.utf8))
    }
}
