import AttuneLanguage
import Foundation
import ModelFormats
import Models
import Training

/// What `export gguf` and `export merged` read from the session: the model, the adapter of the
/// current run (if any), the file the base came from, and a few rows to measure perplexity on.
struct ExportSource {
    let name: String
    let model: LlamaModel
    let adapter: LoRAAdapter?
    /// `lora r=16 …`, `full`, or nil without a training run.
    let methodSummary: String?
    /// The base's GGUF file or Hugging Face folder, when it came from one.
    let origin: URL?
    /// Validation rows (training rows when there is no validation split) for the perplexity check.
    let checkBatches: [TrainingBatch]

    init(_ context: CommandContext, command: String) throws {
        guard let loaded = context.session.model else { throw CommandError.noModel(command) }
        let training = context.session.training
        name = loaded.name
        model = training?.trainer.model ?? loaded.model
        adapter = training?.adapter
        methodSummary = training?.methodSummary
        origin = loaded.engine?.source
        checkBatches = training.map { $0.validation.isEmpty ? $0.batches : $0.validation } ?? []
    }

    var merged: MergedWeights { MergedWeights(model: model, adapter: adapter) }

    /// The GGUF file the base was loaded from (for its tokenizer and metadata), if any.
    func sourceGGUF() throws -> GGUFFile? {
        guard let origin, origin.pathExtension.lowercased() == "gguf" else { return nil }
        do { return try GGUFFile(contentsOf: origin) } catch {
            throw CommandError("ReadError", "cannot reopen the base model \(origin.lastPathComponent) for its tokenizer: \(error)")
        }
    }

    /// The Hugging Face folder the base was loaded from, if any.
    var sourceFolder: URL? {
        guard let origin else { return nil }
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: origin.path, isDirectory: &isDirectory) && isDirectory.boolValue ? origin : nil
    }

    /// `lora r=16 …` merged into the original base, or what is written without an adapter.
    var weightsDescription: String {
        guard let adapter else { return methodSummary.map { "the weights after \($0)" } ?? "the weights as loaded (no training run)" }
        let c = adapter.configuration
        return "\(methodSummary ?? "lora r=\(c.rank)") adapter folded into the original base weights (scale \(NumberText.short(Double(c.scale))), \(adapter.layers.count) modules)"
    }

    /// Refuses a target that is an existing folder (for a file) or file (for a folder).
    static func checkTarget(_ url: URL, written: String, folder: Bool) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return }
        if folder && !isDirectory.boolValue {
            throw CommandError("InvalidValue", "\(written) is a file: give a folder to write the model into")
        }
        if !folder && isDirectory.boolValue {
            throw CommandError("InvalidValue", "\(written) is a folder: give a file name such as \"\(written)/model.gguf\"")
        }
    }
}
