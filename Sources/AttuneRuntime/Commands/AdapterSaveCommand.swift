import AttuneLanguage
import Foundation
import Training

/// `adapter save PATH`: writes the trained LoRA adapter as PEFT writes it
/// (`adapter_config.json` + `adapter_model.safetensors`, Hugging Face names and Q/K layout).
struct AdapterSaveCommand: RuntimeCommand {
    let spec = StandardSpec.named("adapter save")
    let schema = ArgumentSchema([.positional("path", .path, "a folder to write")])
    let help = CommandHelp("""
        Saves the LoRA adapter of the current run in PEFT format: adapter_config.json (r, lora_alpha, \
        target_modules, …) and adapter_model.safetensors with PEFT's tensor names, in Hugging Face layout \
        even when the base came from a GGUF file, so PEFT, vLLM and TRL load it. The folder is created; \
        files are written atomically.
        """, examples: ["adapter save \"out/support-lora\""])

    func run(_ context: CommandContext) throws {
        guard let written = context.arguments.word("path") else { return }
        let folder = try context.resolvePath(written, argument: "path")
        guard let training = context.session.training else {
            throw CommandError("NoAdapter", "no adapter to save: choose `method lora` (or qlora) and `train` first")
        }
        guard let adapter = training.adapter else {
            throw CommandError("NoAdapter", "the current run is full fine-tuning, which has no adapter: use `export merged` for the weights")
        }
        do { try PEFTAdapter.save(adapter, model: training.trainer.model.config, to: folder) } catch {
            throw CommandError("WriteError", "cannot write the adapter to \(written): \(error)")
        }
        let config = adapter.configuration
        context.result("saved a PEFT LoRA adapter to \(written): r=\(config.rank) alpha=\(NumberText.short(config.alpha)) · "
                       + "\(adapter.layers.count) modules · \(NumberText.grouped(adapter.trainableParameterCount)) parameters "
                       + "(adapter_config.json, adapter_model.safetensors)")
    }
}
