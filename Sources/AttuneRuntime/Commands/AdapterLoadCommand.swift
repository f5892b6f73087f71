import AttuneLanguage
import Foundation
import ModelFormats
import Models
import Training

/// `adapter load PATH [force=true]`: reads a PEFT LoRA folder (`adapter_config.json` +
/// `adapter_model.safetensors`) and wraps the current model's projections with it, so
/// `generate`, `eval` and `compare` answer as the model that was saved.
///
/// Every check runs before the model changes: the folder and both files exist, the config is a
/// LoRA config Attune implements, every tensor has the shape the config and the model imply, no
/// tensor is left over, and the config's base model is the loaded one. Then the current adapter
/// (a training run's or an earlier `adapter load`) comes off and the new one goes on; if that
/// fails the old one is put back.
struct AdapterLoadCommand: RuntimeCommand {
    let spec = StandardSpec.named("adapter load")
    let schema = ArgumentSchema([
        .positional("path", .path, "a PEFT adapter folder"),
        .keyed("force", .bool, default: "false", "load even when adapter_config.json names another base model"),
    ])
    let help = CommandHelp("""
        Loads a LoRA adapter in PEFT format (adapter_config.json + adapter_model.safetensors, as \
        `adapter save`, PEFT and TRL write it) onto the current model: with greedy decoding the model \
        then answers exactly as the model that was saved. Tensor names and shapes are checked against the \
        model (rank, targets, layers, widths) and the config's base_model_name_or_path against the \
        loaded model's name (force=true loads anyway). The adapter replaces the current one and ends \
        the current training run; dropout stays off. A QLoRA adapter was trained over a 4-bit base: \
        loaded onto the unquantized model its outputs differ slightly. Relative paths resolve against \
        the notebook's folder (run, replay, verify) or the current directory.
        """, examples: ["adapter load \"out/support-lora\"", "adapter load \"out/triage-lora\" force=true"])

    func run(_ context: CommandContext) throws {
        guard let written = context.arguments.word("path") else { return }
        let folder = try context.resolvePath(written, argument: "path")
        let session = context.session
        guard let loaded = session.model else { throw CommandError.noModel("adapter load") }
        let pathRange = context.range(of: "path")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) else {
            throw CommandError.notFound("no adapter folder at \(written): save one with `adapter save \"\(written)\"` after training, "
                                        + "or give the folder holding \(PEFTAdapter.configFileName)", at: pathRange)
        }
        guard isDirectory.boolValue else {
            throw CommandError.invalidValue("\(written) is a file; adapter load takes the folder that holds "
                                            + "\(PEFTAdapter.configFileName) and \(PEFTAdapter.weightsFileName)", at: pathRange)
        }
        do { try session.paths.checkContents(of: folder) } catch { throw error.located(default: pathRange) }
        let configuration: PEFTAdapter.Configuration
        do { configuration = try PEFTAdapter.readConfiguration(folder: folder) } catch {
            throw adapterError(error, written: written, folder: folder, at: pathRange)
        }
        let modelName = loaded.engine?.source?.lastPathComponent ?? loaded.name
        if let base = configuration.baseModelName, context.arguments.bool("force") != true,
           Self.comparableName(base) != Self.comparableName(modelName) {
            throw CommandError("AdapterMismatch", "\(written)/\(PEFTAdapter.configFileName) says the adapter was trained on \(base), "
                               + "but the loaded model is \(modelName): load that model first (model load …), or add force=true "
                               + "to load it anyway (shapes are still checked)", at: pathRange)
        }
        let model = loaded.model
        let previous = session.adapter
        previous?.remove(from: model)
        let adapter: LoRAAdapter
        do { adapter = try PEFTAdapter.load(folder: folder, into: model) } catch {
            previous?.attach(to: model)
            throw adapterError(error, written: written, folder: folder, at: pathRange)
        }
        adapter.setTraining(false)
        session.endTraining()
        session.loadedAdapter = LoadedAdapter(adapter: adapter, model: model, folder: written)
        let c = adapter.configuration
        let layerText = c.layers.map { "layers \($0.map(String.init).joined(separator: ", "))" } ?? "all \(model.config.layers) layers"
        context.result("loaded a PEFT LoRA adapter from \(written) onto \(loaded.name): r=\(c.rank) alpha=\(NumberText.short(c.alpha))"
                       + "\(c.useRSLoRA ? " rslora" : "") · \(c.targets.projections.joined(separator: ", ")) in \(layerText) · "
                       + "\(adapter.layers.count) modules · \(NumberText.grouped(adapter.trainableParameterCount)) parameters")
    }

    /// A model or adapter file problem as a `CommandError` naming the file (relative to the
    /// folder as written), the entry and the fix.
    func adapterError(_ error: any Error, written: String, folder: URL, at range: SourceRange) -> CommandError {
        if let error = error as? CommandError { return error.located(default: range) }
        var message = "\(error)"
        let prefix = folder.standardizedFileURL.path
        message = message.replacingOccurrences(of: prefix, with: written)
        var name = "AdapterMismatch"
        if let file = error as? ModelFileError, file.entry == nil,
           file.problem.hasPrefix("missing") || file.problem.hasPrefix("cannot read") { name = "NotFound" }
        return CommandError(name, "cannot load the adapter: \(message)", at: range)
    }

    /// A model name reduced to what identifies the weights: the last path component, lowercased,
    /// without `.gguf`/`.safetensors` and a quantization suffix, so `HuggingFaceTB/SmolLM2-135M-Instruct`
    /// and `SmolLM2-135M-Instruct.Q4_1.gguf` compare equal.
    static func comparableName(_ name: String) -> String {
        var last = String(name.split(separator: "/").last ?? Substring(name)).lowercased()
        for suffix in [".gguf", ".safetensors", ".bin"] where last.hasSuffix(suffix) { last.removeLast(suffix.count) }
        if let dot = last.lastIndex(of: "."), last[last.index(after: dot)...].range(of: #"^(q\d.*|f16|f32|bf16|iq\d.*)$"#, options: .regularExpression) != nil {
            last = String(last[..<dot])
        }
        return last
    }
}
