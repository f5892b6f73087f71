import Foundation
import Models
import Tokenization
import Training

/// The server's own copy of what it serves: the base model and the adapters loaded onto it by
/// name. At most one adapter is on the model at a time (`select`), swapped per request.
///
/// Not thread-safe: only the engine's serial queue touches it (`InferenceEngine.perform`).
final class ServedModel {
    let base: LoadedModel
    private(set) var adapters: [String: ServedAdapter] = [:]
    /// The adapter whose layers are on the model now.
    private var attached: ServedAdapter?
    /// Token bytes for `response_format` masks, built by the first request that needs them.
    var tokenTable: TokenByteTable?

    init(base: LoadedModel) { self.base = base }

    /// Puts adapter `name` on the model (nil: the base model answers).
    func select(_ name: String?) throws {
        if attached?.name == name { return }
        if let current = attached { current.adapter.remove(from: base.model); attached = nil }
        guard let name else { return }
        guard let next = adapters[name] else {
            throw APIError.modelNotFound(name, available: ["base"] + adapters.keys.sorted())
        }
        for (module, layer) in next.adapter.layers { base.model.linears[module] = layer }
        attached = next
    }

    /// Reads the PEFT folder `folder` as adapter `name`. Checks the base model's name unless
    /// `force`; the shapes are always checked (`PEFTAdapter.load`).
    @discardableResult
    func loadAdapter(name: String, folder: URL, written: String, force: Bool = false) throws -> ServedAdapter {
        try AdapterName.validate(name, taken: Set(adapters.keys))
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw APIError(.notFound, "adapter \(name): no folder at \(written); give a PEFT adapter folder (adapter_config.json + "
                           + "adapter_model.safetensors), as `adapter save` writes it", param: "path", code: "adapter_not_found")
        }
        let configuration: PEFTAdapter.Configuration
        do { configuration = try PEFTAdapter.readConfiguration(folder: folder) } catch {
            throw APIError.invalid("adapter \(name): \(error)", param: "path", code: "invalid_adapter")
        }
        let modelName = base.source?.lastPathComponent ?? base.name
        if !force, let trainedOn = configuration.baseModelName,
           AdapterName.comparableModelName(trainedOn) != AdapterName.comparableModelName(modelName) {
            throw APIError.invalid("adapter \(name): \(written)/\(PEFTAdapter.configFileName) says it was trained on \(trainedOn), but the server "
                                   + "serves \(modelName); serve that model, or load with force (shapes are still checked)",
                                   param: "path", code: "adapter_mismatch")
        }
        try select(nil)
        let adapter: LoRAAdapter
        do { adapter = try PEFTAdapter.load(folder: folder, into: base.model) } catch {
            throw APIError.invalid("adapter \(name): \(error)", param: "path", code: "invalid_adapter")
        }
        adapter.remove(from: base.model)
        adapter.setTraining(false)
        let served = ServedAdapter(name: name, folder: written, adapter: adapter)
        adapters[name] = served
        return served
    }

    /// Takes adapter `name` off the server.
    func unloadAdapter(name: String) throws {
        guard let adapter = adapters[name] else {
            throw APIError(.notFound, "No adapter named '\(name)' is loaded; loaded: \(adapters.keys.sorted().joined(separator: ", ")) "
                           + "(GET /v1/models lists them)", param: "name", code: "model_not_found")
        }
        if attached?.name == name { try select(nil) }
        adapter.adapter.remove(from: base.model)
        adapters[name] = nil
    }
}

/// An adapter the server holds, by the name requests use in `model`.
struct ServedAdapter {
    let name: String
    /// The folder as given (for /v1/models and messages).
    let folder: String
    let adapter: LoRAAdapter

    var info: AdapterInfo {
        let c = adapter.configuration
        return AdapterInfo(name: name, folder: folder, rank: c.rank, alpha: c.alpha, modules: adapter.layers.count)
    }
}

/// What handlers may read about an adapter without the engine queue.
public struct AdapterInfo: Sendable, Equatable {
    public var name: String
    public var folder: String
    public var rank: Int
    public var alpha: Double
    public var modules: Int
}

/// Rules for adapter names (what requests put in `model`).
enum AdapterName {
    /// Names the base model answers to besides its own.
    static let base = "base"

    /// A name is 1–64 of letters, digits, `-`, `_`, `.`, `:`, not `base`, not taken.
    static func validate(_ name: String, taken: Set<String>) throws {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.:"))
        guard !name.isEmpty, name.count <= 64, name.unicodeScalars.allSatisfy(allowed.contains) else {
            throw APIError.invalid("adapter name '\(name)' must be 1–64 letters, digits, '-', '_', '.' or ':'", param: "name")
        }
        guard name != base else { throw APIError.invalid("'base' names the model without an adapter; give the adapter another name", param: "name") }
        guard !taken.contains(name) else {
            throw APIError(.conflict, "an adapter named '\(name)' is already loaded; unload it first (DELETE /v1/adapters/\(name)) or pick another name",
                           param: "name", code: "adapter_exists")
        }
    }

    /// A model name reduced to what identifies the weights, as `adapter load` compares them:
    /// last path component, lowercased, without `.gguf`/`.safetensors` and a quantization suffix.
    static func comparableModelName(_ name: String) -> String {
        var last = String(name.split(separator: "/").last ?? Substring(name)).lowercased()
        for suffix in [".gguf", ".safetensors", ".bin"] where last.hasSuffix(suffix) { last.removeLast(suffix.count) }
        if let dot = last.lastIndex(of: "."),
           last[last.index(after: dot)...].range(of: #"^(q\d.*|f16|f32|bf16|iq\d.*)$"#, options: .regularExpression) != nil {
            last = String(last[..<dot])
        }
        return last
    }
}
