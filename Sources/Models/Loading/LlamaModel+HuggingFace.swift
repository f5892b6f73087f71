import Essentials
import Foundation
import ModelFormats
import TensorCore

extension LlamaModel {
    /// Largest `config.json` or `model.safetensors.index.json` read (real ones are a few KiB).
    static let maxConfigBytes = 16 << 20

    /// Loads a Hugging Face folder: `config.json` and `model.safetensors`, or shards listed in
    /// `model.safetensors.index.json`. Every parameter the configuration implies must be present
    /// with its shape; extra tensors (rotary caches) are ignored.
    ///
    /// Nothing large is allocated before the file is checked: the configuration against its
    /// bounds (`LlamaConfiguration.validate`), every expected tensor against the safetensors
    /// headers (which are themselves checked against the files' sizes), and the float32 arena
    /// against the memory available (`MemoryBudget`).
    public static func loadHuggingFace(folder: URL) throws -> LlamaModel {
        let configURL = folder.appendingPathComponent("config.json")
        let config = try readConfiguration(configURL)
        let files = try shardFiles(folder: folder)
        var located: [String: (file: SafetensorsFile, entry: SafetensorsFile.Entry)] = [:]
        for url in files {
            do { _ = try RegularFile.size(of: url.path, limit: .max) } catch {
                throw ModelFileError(file: url.path, error.reason)
            }
            let file = try SafetensorsFile(url: url)
            for entry in file.entries where located[entry.name] == nil { located[entry.name] = (file, entry) }
        }
        let shapes = config.parameterShapes
        var missing: [String] = []
        var largest = 0
        for (name, shape) in shapes {
            guard let found = located[name] else { missing.append(name); continue }
            let (file, entry) = found
            guard entry.shape == shape else {
                throw ModelFileError(file: file.path, entry: name, "shape \(entry.shape) does not match the configuration's \(shape)")
            }
            guard entry.dtype.isFloatingPoint else {
                throw ModelFileError(file: file.path, entry: name, "is \(entry.dtype.rawValue), expected a floating-point tensor")
            }
            largest = max(largest, entry.count)
        }
        guard missing.isEmpty else {
            throw ModelFileError(file: folder.path, "missing \(missing.count) tensors, first \(missing.prefix(3).joined(separator: ", "))")
        }
        // Every expected tensor is in the files with its shape, so the counts are bounded by their sizes.
        let parameters = config.checkedParameterCount ?? .max
        let (arena, overflow) = parameters.multipliedReportingOverflow(by: 4)
        try MemoryBudget.require(overflow ? .max : arena &+ largest &* 4, for: "\(NumberText.grouped(parameters)) float32 weights", file: folder.path)

        let model = try LlamaModel(config: config)
        for tensor in model.parameters.tensors {
            guard let found = located[tensor.name] else { continue }
            let values = try found.file.floats(tensor.name)
            values.withUnsafeBufferPointer { tensor.pointer.update(from: $0.baseAddress!, count: tensor.count) }
        }
        return model
    }

    /// `config.json` as a configuration: a syntax error gives its byte offset, a valid document
    /// with a missing key or an impossible value names the key and the value, and the sizes are
    /// checked against `LlamaConfiguration.bounds` before anything is allocated.
    static func readConfiguration(_ url: URL) throws -> LlamaConfiguration {
        let data: Data
        do { data = try RegularFile.read(url.path, limit: maxConfigBytes) } catch {
            if !FileManager.default.fileExists(atPath: url.path) {
                throw ModelFileError(file: url.path, "missing config.json: a Hugging Face model folder needs it")
            }
            throw ModelFileError(file: url.path, error.reason)
        }
        return try configuration(fromJSON: data, file: url.path)
    }

    /// Decodes and validates a `config.json` image (`file` names it in errors).
    public static func configuration(fromJSON data: Data, file: String) throws -> LlamaConfiguration {
        let json: JSONValue
        do { json = try JSONValue.parse([UInt8](data)) } catch {
            throw ModelFileError(file: file, "not valid JSON: \(error)")
        }
        // Valid JSON whose sizes are not whole numbers (1e30, -3.5, "wide"): name the key.
        if case .object(let pairs) = json {
            let sizes: Set<String> = ["vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                                      "num_key_value_heads", "head_dim", "max_position_embeddings"]
            for (key, value) in pairs where sizes.contains(key) && value != .null && value.intValue == nil {
                throw ModelFileError(file: file, "key '\(key)' is \(value.text()), not a whole number a model size can be")
            }
        }
        let config: LlamaConfiguration
        do { config = try JSONDecoder().decode(LlamaConfiguration.self, from: data) } catch let error as DecodingError {
            throw ModelFileError(file: file, describe(error))
        } catch {
            throw ModelFileError(file: file, "not a Llama configuration (\(error))")
        }
        do { try config.validate() } catch let error as TensorError {
            if case .invalidArgument(let message) = error { throw ModelFileError(file: file, message) }
            throw ModelFileError(file: file, "\(error)")
        }
        return config
    }

    /// A decoding error in words: the key path and what is wrong with its value.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, _):
            return "key '\(key.stringValue)' is missing: a Llama configuration needs it"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "key '\(path(context))' has the wrong kind of value: expected \(type == Int.self ? "a whole number" : "\(type)")"
        case .dataCorrupted(let context):
            return "key '\(path(context))' has an impossible value (\(context.debugDescription))"
        @unknown default:
            return "not a Llama configuration (\(error))"
        }
    }

    private static func shardFiles(folder: URL) throws -> [URL] {
        let single = folder.appendingPathComponent("model.safetensors")
        if FileManager.default.fileExists(atPath: single.path) { return [single] }
        let indexURL = folder.appendingPathComponent("model.safetensors.index.json")
        guard FileManager.default.fileExists(atPath: indexURL.path) else {
            throw ModelFileError(file: folder.path, "no model.safetensors or model.safetensors.index.json")
        }
        let data: Data
        do { data = try RegularFile.read(indexURL.path, limit: maxConfigBytes) } catch {
            throw ModelFileError(file: indexURL.path, error.reason)
        }
        let json: JSONValue
        do { json = try JSONValue.parse([UInt8](data)) } catch {
            throw ModelFileError(file: indexURL.path, "not valid JSON: \(error.message) at byte \(error.offset)")
        }
        guard let map = json["weight_map"]?.objectValue else {
            throw ModelFileError(file: indexURL.path, "weight_map missing: expected {\"weight_map\": {\"tensor name\": \"shard file\", …}}")
        }
        var shards = Set<String>()
        for (tensor, shard) in map {
            guard let name = shard.stringValue else {
                throw ModelFileError(file: indexURL.path, entry: "weight_map.\(tensor.clippedForModelMessage)", "is \(shard.typeDescription), expected a shard file name")
            }
            shards.insert(name)
        }
        return try shards.sorted().map { name in
            guard !name.contains("/"), !name.hasPrefix("."), !name.isEmpty else {
                throw ModelFileError(file: indexURL.path, entry: "weight_map", "shard name '\(name.clippedForModelMessage)' must be a file name inside the folder")
            }
            return folder.appendingPathComponent(name)
        }
    }
}

extension String {
    /// At most 60 characters, for quoting file contents in a message.
    var clippedForModelMessage: String { count <= 60 ? self : String(prefix(60)) + "…" }
}
