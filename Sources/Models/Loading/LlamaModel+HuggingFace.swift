import Foundation
import ModelFormats
import TensorCore

extension LlamaModel {
    /// Loads a Hugging Face folder: `config.json` and `model.safetensors`, or shards listed in
    /// `model.safetensors.index.json`. Every parameter the configuration implies must be present
    /// with its shape; extra tensors (rotary caches) are ignored.
    public static func loadHuggingFace(folder: URL) throws -> LlamaModel {
        let configURL = folder.appendingPathComponent("config.json")
        guard let configData = try? Data(contentsOf: configURL) else {
            throw ModelFileError(file: configURL.path, "missing config.json: a Hugging Face model folder needs it")
        }
        let config: LlamaConfiguration
        do { config = try JSONDecoder().decode(LlamaConfiguration.self, from: configData) } catch {
            throw ModelFileError(file: configURL.path, "not a Llama configuration (\(error))")
        }
        let model = try LlamaModel(config: config)
        let files = try shardFiles(folder: folder)
        var found = Set<String>()
        for url in files {
            let file = try SafetensorsFile(url: url)
            for entry in file.entries {
                guard let target = model.parameters[entry.name] else { continue }
                guard entry.shape == target.shape else {
                    throw ModelFileError(file: url.path, entry: entry.name, "shape \(entry.shape) does not match the configuration's \(target.shape)")
                }
                let values = try file.floats(entry.name)
                values.withUnsafeBufferPointer { target.pointer.update(from: $0.baseAddress!, count: target.count) }
                found.insert(entry.name)
            }
        }
        let missing = model.parameters.tensors.map(\.name).filter { !found.contains($0) }
        guard missing.isEmpty else {
            throw ModelFileError(file: folder.path, "missing \(missing.count) tensors, first \(missing.prefix(3).joined(separator: ", "))")
        }
        return model
    }

    private static func shardFiles(folder: URL) throws -> [URL] {
        let single = folder.appendingPathComponent("model.safetensors")
        if FileManager.default.fileExists(atPath: single.path) { return [single] }
        let indexURL = folder.appendingPathComponent("model.safetensors.index.json")
        guard let data = try? Data(contentsOf: indexURL) else {
            throw ModelFileError(file: folder.path, "no model.safetensors or model.safetensors.index.json")
        }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let map = json["weight_map"] as? [String: String] else {
            throw ModelFileError(file: indexURL.path, "weight_map missing or malformed")
        }
        return Set(map.values).sorted().map { name in
            guard !name.contains("/"), !name.hasPrefix(".") else { return folder.appendingPathComponent("invalid") }
            return folder.appendingPathComponent(name)
        }
    }
}
