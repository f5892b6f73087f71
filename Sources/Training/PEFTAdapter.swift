import Essentials
import Foundation
import ModelFormats
import Models
import TensorCore

/// PEFT LoRA adapter folders: `adapter_config.json` and `adapter_model.safetensors`, read and
/// written as PEFT 0.21 does, so `PeftModel.from_pretrained` loads what Attune saves and the other
/// way round.
///
/// Tensor keys: `base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight` `[r, in]` and
/// `….lora_B.weight` `[out, r]`, float32 (F16/BF16 are accepted on load). The rows of `lora_B`
/// for `q_proj` and `k_proj` are in Hugging Face's order even when the model's Q/K rows follow
/// llama.cpp's interleaved rotary layout (a GGUF base): they are permuted at the file boundary.
public enum PEFTAdapter {
    public static let configFileName = "adapter_config.json"
    public static let weightsFileName = "adapter_model.safetensors"

    // MARK: Saving

    /// Writes `adapter` into `folder` (created if needed), each file atomically.
    public static func save(_ adapter: LoRAAdapter, model: LlamaConfiguration, to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let configURL = folder.appendingPathComponent(configFileName)
        let text = configurationJSON(adapter, model: model).text(.pretty(indent: 2, sortedKeys: true)) + "\n"
        try Data(text.utf8).write(to: configURL, options: .atomic)
        var items = [SafetensorsWriter.Item]()
        for (module, layer) in adapter.layers {
            items.append(.init(name: LoRAAdapter.nameA(module), shape: layer.a.shape, values: layer.a.values))
            let b = rowsForFile(layer.b.values, module: module, rank: layer.rank, model: model, toFile: true)
            items.append(.init(name: LoRAAdapter.nameB(module), shape: layer.b.shape, values: b))
        }
        try SafetensorsWriter.write(items, metadata: ["format": "pt"], to: folder.appendingPathComponent(weightsFileName))
    }

    /// The `adapter_config.json` object: PEFT's `LoraConfig` fields for this adapter, over any
    /// keys preserved from a loaded file (numbers spelled as they were read), keys sorted. Written
    /// with `.pretty(indent: 2, sortedKeys: true)`, that is Python's `json.dumps(indent=2,
    /// sort_keys=True)` as PEFT saves it.
    public static func configurationJSON(_ adapter: LoRAAdapter, model: LlamaConfiguration) -> JSONValue {
        let c = adapter.configuration
        var o = adapter.preservedConfig
        let defaults: [String: JSONValue] = [
            "alpha_pattern": .object([]), "auto_mapping": .null, "exclude_modules": .null, "fan_in_fan_out": .bool(false),
            "inference_mode": .bool(true), "init_lora_weights": .bool(true), "layer_replication": .null, "layers_pattern": .null,
            "loftq_config": .object([]), "lora_bias": .bool(false), "megatron_config": .null, "megatron_core": .string("megatron.core"),
            "modules_to_save": .null, "rank_pattern": .object([]), "revision": .null, "task_type": .string("CAUSAL_LM"),
            "use_dora": .bool(false),
        ]
        for (key, value) in defaults where o[key] == nil { o[key] = value }
        o["peft_type"] = .string("LORA")
        o["r"] = .number(Double(c.rank))
        o["lora_alpha"] = .number(c.alpha)
        o["lora_dropout"] = pythonFloat(c.dropout)
        o["use_rslora"] = .bool(c.useRSLoRA)
        o["bias"] = .string("none")
        switch c.targets {
        case .allLinear: o["target_modules"] = .array(LlamaModel.projectionNames.map { .string($0) })
        case .modules(let names): o["target_modules"] = .array(names.map { .string($0) })
        }
        o["layers_to_transform"] = c.layers.map { .array($0.map { .number(Double($0)) }) } ?? .null
        o["base_model_name_or_path"] = adapter.baseModelName.map { .string($0) } ?? o["base_model_name_or_path"] ?? .null
        return .object(o.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// A float as Python's `repr` writes it into JSON: `0.0` and `16.0` keep their `.0`, others
    /// print shortest (`0.05`, `1e-05`).
    static func pythonFloat(_ d: Double) -> JSONValue {
        d.isFinite && d == d.rounded() && abs(d) < 1e16 ? .number(d, text: String(format: "%.1f", d)) : .number(d)
    }

    // MARK: Loading

    /// A parsed `adapter_config.json`: the LoRA settings, the keys kept verbatim, and the base
    /// model it names.
    public struct Configuration: Sendable, Equatable {
        public var lora: LoRAConfiguration
        public var preserved: [String: JSONValue]
        public var baseModelName: String?
    }

    /// Reads and checks `folder/adapter_config.json`; errors name the file and the key.
    public static func readConfiguration(folder: URL) throws -> Configuration {
        let url = folder.appendingPathComponent(configFileName)
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ModelFileError(file: path, "cannot read the file: a PEFT adapter folder needs \(configFileName) beside \(weightsFileName)")
        }
        let data: Data
        do { data = try RegularFile.read(path, limit: 16 << 20) } catch {
            throw ModelFileError(file: path, error.reason)
        }
        let json: JSONValue
        do { json = try JSONValue.parse([UInt8](data)) } catch {
            throw ModelFileError(file: path, "not valid JSON (\(error)); the file must be one JSON object as PEFT writes it")
        }
        guard case .object(let pairs) = json else { throw ModelFileError(file: path, "not a JSON object") }
        let o = [String: JSONValue](pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        func fail(_ key: String, _ problem: String) -> ModelFileError { ModelFileError(file: path, entry: key, problem) }

        guard case .string(let peftType)? = o["peft_type"] else { throw fail("peft_type", "missing: expected \"LORA\"") }
        guard peftType == "LORA" else { throw fail("peft_type", "is \"\(peftType)\": Attune reads LoRA adapters only") }
        guard let rank = o["r"]?.intValue, rank > 0 else { throw fail("r", "must be a positive integer, got \(o["r"]?.text() ?? "nothing")") }
        guard let alpha = o["lora_alpha"]?.doubleValue, alpha > 0 else {
            throw fail("lora_alpha", "must be a positive number, got \(o["lora_alpha"]?.text() ?? "nothing")")
        }
        let dropout: Double
        switch o["lora_dropout"] {
        case nil, .null?: dropout = 0
        case let value?:
            guard let d = value.doubleValue, d >= 0, d < 1 else { throw fail("lora_dropout", "must be a number in [0, 1), got \(value.text())") }
            dropout = d
        }
        let targets: LoRATargets
        switch o["target_modules"] {
        case .string("all-linear")?: targets = .allLinear
        case .string(let s)?:
            throw fail("target_modules", "\"\(s)\" is a regular expression; Attune needs a list of module names (q_proj … down_proj) or \"all-linear\"")
        case .array(let items)?:
            var names = [String]()
            for item in items {
                guard case .string(let s) = item else { throw fail("target_modules", "entries must be strings, got \(item.text())") }
                let short = String(s.split(separator: ".").last ?? "")
                guard LlamaModel.projectionNames.contains(short) else {
                    let hint = closestName(to: short, in: LlamaModel.projectionNames).map { " (did you mean \($0)?)" } ?? ""
                    throw fail("target_modules", "\"\(s)\" names no Llama projection\(hint); known: \(LlamaModel.projectionNames.joined(separator: ", "))")
                }
                if !names.contains(short) { names.append(short) }
            }
            guard !names.isEmpty else { throw fail("target_modules", "is empty") }
            targets = .modules(names)
        default:
            throw fail("target_modules", "missing: expected a list such as [\"q_proj\", \"v_proj\"]")
        }
        var layers: [Int]?
        switch o["layers_to_transform"] {
        case nil, .null?: layers = nil
        case .array(let items)?:
            layers = try items.map {
                guard let i = $0.intValue else { throw fail("layers_to_transform", "entries must be integers, got \($0.text())") }
                return i
            }
        case let value?:
            guard let i = value.intValue else {
                throw fail("layers_to_transform", "must be null, an integer or a list of integers, got \(value.text())")
            }
            layers = [i]
        }
        var useRSLoRA = false
        switch o["use_rslora"] {
        case nil, .null?: break
        case .bool(let b)?: useRSLoRA = b
        case let value?: throw fail("use_rslora", "must be true or false, got \(value.text())")
        }
        // Settings Attune does not implement: refuse rather than compute something else.
        if case .bool(true)? = o["use_dora"] { throw fail("use_dora", "DoRA adapters are not supported") }
        if case .bool(true)? = o["fan_in_fan_out"] { throw fail("fan_in_fan_out", "transposed (Conv1D) layouts are not supported for Llama") }
        if let bias = o["bias"], bias != .string("none"), bias != .null {
            throw fail("bias", "is \(bias.text()); only \"none\" is supported (trained biases are not)")
        }
        for key in ["rank_pattern", "alpha_pattern"] {
            if case .object(let pattern)? = o[key], !pattern.isEmpty { throw fail(key, "per-module ranks or alphas are not supported") }
        }
        switch o["modules_to_save"] {
        case nil, .null?: break
        case .array(let a)? where a.isEmpty: break
        case let value?: throw fail("modules_to_save", "is \(value.text()); fully trained extra modules are not supported")
        }
        let interpreted: Set<String> = ["r", "lora_alpha", "lora_dropout", "target_modules", "layers_to_transform", "use_rslora",
                                        "base_model_name_or_path", "peft_type", "bias"]
        var preserved = o.filter { !interpreted.contains($0.key) }
        preserved["inference_mode"] = preserved["inference_mode"] ?? .bool(true)
        var baseModel: String?
        if case .string(let s)? = o["base_model_name_or_path"] { baseModel = s }
        let lora = LoRAConfiguration(rank: rank, alpha: alpha, dropout: dropout, targets: targets, layers: layers, useRSLoRA: useRSLoRA)
        return Configuration(lora: lora, preserved: preserved, baseModelName: baseModel)
    }

    /// Reads the adapter in `folder`, checks every tensor against `model`, then wraps the
    /// model's projections with it. Nothing in the model changes unless the whole adapter is valid.
    public static func load(folder: URL, into model: LlamaModel) throws -> LoRAAdapter {
        let configuration = try readConfiguration(folder: folder)
        let configPath = folder.appendingPathComponent(configFileName).path
        do { try configuration.lora.validate(for: model.config) } catch {
            throw ModelFileError(file: configPath, "does not fit the model: \(error)")
        }
        let weightsURL = folder.appendingPathComponent(weightsFileName)
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            throw ModelFileError(file: weightsURL.path, "missing: a PEFT adapter folder needs \(weightsFileName) beside \(configFileName)")
        }
        let file = try SafetensorsFile(url: weightsURL)
        let rank = configuration.lora.rank
        var values = [String: [Float]]()
        var used = Set<String>()
        for entry in configuration.lora.adaptedModules(for: model.config) {
            for (name, shape, isB) in [(LoRAAdapter.nameA(entry.module), [rank, entry.inFeatures], false),
                                       (LoRAAdapter.nameB(entry.module), [entry.outFeatures, rank], true)] {
                let key = [name, name.replacingOccurrences(of: ".weight", with: ".default.weight")].first(where: file.contains) ?? name
                guard file.contains(key) else {
                    throw ModelFileError(file: weightsURL.path, entry: name,
                                         "missing: \(configFileName) targets \(entry.module) with r = \(rank), so the file must hold this tensor")
                }
                let found = try file.entry(key)
                guard found.shape == shape else {
                    let side = isB ? "[out, r] = [\(entry.outFeatures), \(rank)]" : "[r, in] = [\(rank), \(entry.inFeatures)]"
                    throw ModelFileError(file: weightsURL.path, entry: key,
                                         "shape \(found.shape) does not match \(side) (r = \(rank) from \(configFileName), the model's \(entry.module) is \(entry.inFeatures) → \(entry.outFeatures))")
                }
                var v = try file.floats(key)
                if let bad = v.firstIndex(where: { !$0.isFinite }) {
                    throw ModelFileError(file: weightsURL.path, entry: key, "value \(v[bad]) at index \(bad) is not finite")
                }
                if isB { v = rowsForFile(v, module: entry.module, rank: rank, model: model.config, toFile: false) }
                values[name] = v
                used.insert(key)
            }
        }
        if let extra = file.names.first(where: { !used.contains($0) }) {
            throw ModelFileError(file: weightsURL.path, entry: extra,
                                 "unexpected tensor: \(configFileName) does not target this module (targets \(configuration.lora.targets.projections.joined(separator: ", ")), layers \(configuration.lora.layers.map { "\($0)" } ?? "all"))")
        }
        let adapter: LoRAAdapter
        do { adapter = try LoRAApplier.apply(configuration.lora, to: model) } catch {
            throw ModelFileError(file: configPath, "cannot be applied: \(error)")
        }
        for tensor in adapter.parameters.tensors {
            let v = values[tensor.name]!
            v.withUnsafeBufferPointer { tensor.pointer.update(from: $0.baseAddress!, count: tensor.count) }
        }
        adapter.preservedConfig = configuration.preserved
        adapter.baseModelName = configuration.baseModelName
        return adapter
    }

    // MARK: Q/K row order

    /// Reorders the rows of a `lora_B` `[out, r]` between the model's Q/K layout and Hugging
    /// Face's. With llama.cpp's interleaved layout, row `h·D + 2j + i` of the model is row
    /// `h·D + i·D/2 + j` in Hugging Face order (head `h`, pair `j`, half `i`). Other projections
    /// and `half`-layout models pass through unchanged.
    static func rowsForFile(_ values: [Float], module: String, rank: Int, model: LlamaConfiguration, toFile: Bool) -> [Float] {
        guard model.ropeLayout == .interleaved else { return values }
        let heads: Int
        if module.hasSuffix(".q_proj") { heads = model.heads } else if module.hasSuffix(".k_proj") { heads = model.kvHeads } else { return values }
        let d = model.headDim, half = d / 2
        var out = values
        for h in 0..<heads {
            for j in 0..<half {
                for i in 0..<2 {
                    let interleaved = h * d + 2 * j + i, hf = h * d + i * half + j
                    let (src, dst) = toFile ? (interleaved, hf) : (hf, interleaved)
                    for c in 0..<rank { out[dst * rank + c] = values[src * rank + c] }
                }
            }
        }
        return out
    }
}
