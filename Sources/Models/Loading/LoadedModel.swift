import Foundation
import ModelFormats
import TensorCore
import Tokenization

/// A model ready to use: weights, tokenizer, chat template and where they came from.
public final class LoadedModel {
    public let name: String
    public let model: LlamaModel
    public let tokenizer: any Tokenizer
    /// The conversation layout, when the files name one Attune knows.
    public let chatTemplate: ChatTemplate?
    /// The file or folder the model came from (nil for a model built in memory).
    public let source: URL?
    /// Seconds spent loading.
    public let loadSeconds: Double

    public init(name: String, model: LlamaModel, tokenizer: any Tokenizer, chatTemplate: ChatTemplate?, source: URL?, loadSeconds: Double = 0) {
        self.name = name
        self.model = model
        self.tokenizer = tokenizer
        self.chatTemplate = chatTemplate
        self.source = source
        self.loadSeconds = loadSeconds
    }

    /// Loads a GGUF file: weights (kept quantized), tokenizer and chat template from its metadata.
    public static func load(gguf url: URL) throws -> LoadedModel {
        let start = Date()
        let file: GGUFFile
        do { file = try GGUFFile(contentsOf: url) } catch let error as GGUFError { throw error } catch {
            throw ModelFileError(file: url.path, "cannot open: \(error.localizedDescription)")
        }
        let model = try LlamaModel.load(gguf: file)
        let tokenizer: BPETokenizer
        do { tokenizer = try BPETokenizer(gguf: file.tokenizerMetadata()) } catch {
            throw ModelFileError(file: url.path, entry: "tokenizer.ggml.*", "cannot build the tokenizer: \(error)")
        }
        let template = tokenizer.chatTemplateSource.flatMap { try? ChatTemplate(detecting: $0) }
        return LoadedModel(name: url.deletingPathExtension().lastPathComponent, model: model, tokenizer: tokenizer,
                           chatTemplate: template, source: url, loadSeconds: Date().timeIntervalSince(start))
    }

    /// Loads a Hugging Face folder: `config.json`, safetensors, `tokenizer.json` (+ config).
    public static func load(huggingFace folder: URL) throws -> LoadedModel {
        let start = Date()
        let model = try LlamaModel.loadHuggingFace(folder: folder)
        let tokenizerURL = folder.appendingPathComponent("tokenizer.json")
        guard FileManager.default.fileExists(atPath: tokenizerURL.path) else {
            throw ModelFileError(file: folder.path, "no tokenizer.json: Attune needs the model's tokenizer to encode text")
        }
        let tokenizer = try BPETokenizer.load(huggingFaceDirectory: folder)
        let template = tokenizer.chatTemplateSource.flatMap { try? ChatTemplate(detecting: $0) }
        return LoadedModel(name: folder.lastPathComponent, model: model, tokenizer: tokenizer, chatTemplate: template,
                           source: folder, loadSeconds: Date().timeIntervalSince(start))
    }

    /// Loads a built-in name (`smollm2`, fetched into the cache when missing), a `.gguf` file or
    /// a Hugging Face folder.
    public static func load(_ nameOrPath: String, cache: ModelCache = .default) throws -> LoadedModel {
        if let builtIn = BuiltInModel(rawValue: nameOrPath.lowercased()) {
            return try load(gguf: cache.fetch(builtIn))
        }
        let url = URL(fileURLWithPath: (nameOrPath as NSString).expandingTildeInPath)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ModelFileError(file: url.path, "no such file or folder (built-in models: \(BuiltInModel.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if isDirectory.boolValue { return try load(huggingFace: url) }
        return try load(gguf: url)
    }
}
