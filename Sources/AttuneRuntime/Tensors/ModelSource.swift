import Essentials
import AttuneLanguage
import AttuneNotebook
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
    static func load(_ source: ModelSource, written: String) throws -> SessionModel {
        switch source {
        case .builtIn(let name): return try loadBuiltIn(name)
        case .gguf(let url): return try loadGGUF(url, written: written)
        case .huggingFace(let url): return try loadHuggingFace(url, written: written)
        }
    }

    /// A built-in name: fetched into the cache (`ATTUNE_CACHE`) on first use, then loaded.
    static func loadBuiltIn(_ name: String, progress: (String) -> Void = { _ in }) throws -> SessionModel {
        guard let builtIn = BuiltInModel(rawValue: name) else {
            throw CommandError("InvalidValue", "no built-in model '\(name)' (built-in: \(builtInList))")
        }
        let url: URL
        do { url = try ModelCache.default.fetch(builtIn, progress: progress) } catch {
            throw CommandError("FetchError", "\(error)")
        }
        return try loadGGUF(url, written: name)
    }

    /// What a recording notes about the model `source` names: a built-in model's cached file and
    /// its known SHA-256, a GGUF file's SHA-256 (read once more), a folder by its path alone.
    static func provenance(of source: ModelSource, written: String) -> ModelProvenance {
        switch source {
        case .builtIn(let name):
            guard let builtIn = BuiltInModel(rawValue: name) else { return ModelProvenance(name: name) }
            return ModelProvenance(name: name, file: ModelCache.default.path(of: builtIn), sha256: builtIn.sha256)
        case .gguf(let url):
            let hash = (try? Data(contentsOf: url, options: .alwaysMapped)).map(ContentHash.sha256Hex)
            return ModelProvenance(name: written, file: url, sha256: hash)
        case .huggingFace(let url):
            return ModelProvenance(name: written, file: url)
        }
    }

    static var builtInList: String { BuiltInModel.allCases.map(\.rawValue).joined(separator: ", ") }

    static func loadGGUF(_ url: URL, written: String) throws -> SessionModel {
        do { return SessionModel(try Models.LoadedModel.load(gguf: url), origin: written) } catch {
            throw CommandError("ModelError", "cannot load '\(written)': \(error)")
        }
    }

    static func loadHuggingFace(_ url: URL, written: String) throws -> SessionModel {
        let model: LlamaModel
        do { model = try LlamaModel.loadHuggingFace(folder: url) } catch {
            throw CommandError("ModelError", "cannot load '\(written)': \(error)")
        }
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("tokenizer.json").path) else {
            return SessionModel(name: url.lastPathComponent, origin: written, model: model, tokenizer: nil,
                                tokenizerSummary: "none (the folder has no tokenizer.json)")
        }
        do {
            let bpe = try BPETokenizer.load(huggingFaceDirectory: url)
            let template = bpe.chatTemplateSource.flatMap { try? ChatTemplate(detecting: $0) }
            let bundle = Models.LoadedModel(name: url.lastPathComponent, model: model, tokenizer: bpe, chatTemplate: template, source: url)
            return SessionModel(bundle, origin: written)
        } catch {
            return SessionModel(name: url.lastPathComponent, origin: written, model: model, tokenizer: nil,
                                tokenizerSummary: "tokenizer.json could not be read: \(error)")
        }
    }
}
