import AttuneLanguage
import Foundation
import Models
import ModelFormats
import Tokenization

/// Where `model load NAME|PATH` finds a model: a built-in name, a GGUF file or a Hugging Face
/// folder (`config.json` + safetensors).
public enum ModelSource: Sendable, Equatable {
    case builtIn(String)
    case gguf(URL)
    case huggingFace(URL)

    /// Built-in model names (fetched into the cache by `attune fetch NAME`).
    public static let builtInNames = ["smollm2"]

    /// Classifies what the user wrote; paths go through the session's path policy.
    static func locate(_ written: String, resolve: (String) throws(CommandError) -> URL) throws(CommandError) -> ModelSource {
        if builtInNames.contains(written.lowercased()) { return .builtIn(written.lowercased()) }
        let url = try resolve(written)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            let near = suggestBuiltIn(written)
            throw .notFound("no model '\(written)': not a built-in name (\(builtInNames.joined(separator: ", "))) and no such file or folder"
                            + (near.map { " — did you mean '\($0)'?" } ?? ""), suggestion: near)
        }
        if isDirectory.boolValue { return .huggingFace(url) }
        if url.pathExtension.lowercased() == "gguf" { return .gguf(url) }
        throw CommandError("InvalidValue", "'\(written)' is neither a .gguf file nor a Hugging Face folder (with config.json and model.safetensors)")
    }

    private static func suggestBuiltIn(_ written: String) -> String? {
        suggest(written, from: builtInNames)
    }
}

/// Loads a `ModelSource`. Each source is one function, so binding a new loader (GGUF, built-in
/// names) when the Models work lands is a change to one line here.
enum ModelLoader {
    static func load(_ source: ModelSource, written: String) throws -> LoadedModel {
        switch source {
        case .builtIn(let name): return try loadBuiltIn(name)
        case .gguf(let url): return try loadGGUF(url, written: written)
        case .huggingFace(let url): return try loadHuggingFace(url, written: written)
        }
    }

    static func loadBuiltIn(_ name: String) throws -> LoadedModel {
        throw CommandError.notAvailable("model load \(name)",
            "built-in models need `attune fetch \(name)` and GGUF loading, which land with the Models work; "
            + "for now load a Hugging Face folder (config.json + model.safetensors) or create one with `model new tiny`")
    }

    static func loadGGUF(_ url: URL, written: String) throws -> LoadedModel {
        throw CommandError.notAvailable("model load",
            "building a model from a GGUF file lands with the Models work (ModelFormats already reads its header); "
            + "load a Hugging Face folder (config.json + model.safetensors) or create one with `model new tiny`")
    }

    static func loadHuggingFace(_ url: URL, written: String) throws -> LoadedModel {
        let model: LlamaModel
        do { model = try LlamaModel.loadHuggingFace(folder: url) } catch {
            throw CommandError("ModelError", "cannot load '\(written)': \(error)")
        }
        var tokenizer: (any Tokenizer)?
        var summary = "none (the folder has no tokenizer.json)"
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("tokenizer.json").path) {
            do {
                let bpe = try BPETokenizer.load(huggingFaceDirectory: url)
                tokenizer = bpe
                summary = bpe.description
            } catch {
                summary = "tokenizer.json could not be read: \(error)"
            }
        }
        return LoadedModel(name: url.lastPathComponent, origin: written, model: model, tokenizer: tokenizer, tokenizerSummary: summary)
    }
}
