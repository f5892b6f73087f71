import AttuneLanguage
import Essentials
import Foundation
import ModelFormats
import Training

/// `export merged PATH [dtype=f32|f16|bf16]`: the model with its adapter folded in, as a Hugging
/// Face folder (`config.json`, `model.safetensors`, tokenizer files when the base had them).
struct ExportMergedCommand: RuntimeCommand {
    let spec = StandardSpec.named("export merged")
    let schema = ArgumentSchema([
        .positional("path", .path, "a folder to write"),
        .keyed("dtype", .choice(["f32", "f16", "bf16"]), default: "f32", "element type of model.safetensors"),
    ])
    let help = CommandHelp("""
        Writes a Hugging Face folder with the adapter merged into the weights (W + scale·B·A, into the \
        original base weights, also after QLoRA): config.json, model.safetensors with Hugging Face names and \
        Q/K layout, and the base's tokenizer: its files when it came from a Hugging Face folder, a tokenizer.json built \
        from the metadata when it came from a GGUF file (byte-level BPE such as SmolLM2's). \
        transformers, vLLM and `model load PATH` read it. Without an adapter (full fine-tuning, or no run) \
        it writes the model's weights as they are. Files are written atomically.
        """, examples: ["export merged \"out/merged\"", "export merged \"out/merged-bf16\" dtype=bf16"])

    func run(_ context: CommandContext) throws {
        guard let written = context.arguments.word("path") else { return }
        let url = try context.resolvePath(written, argument: "path")
        let source = try ExportSource(context, command: "export merged")
        try ExportSource.checkTarget(url, written: written, folder: true)
        let dtype: SafetensorsDType = switch context.arguments.word("dtype") { case "f16": .f16; case "bf16": .bf16; default: .f32 }
        var extra: [String: JSONValue] = [:]
        if let special = context.session.model?.tokenizer?.specialTokens {
            if let bos = special.bos { extra["bos_token_id"] = .number(Double(bos)) }
            if let eos = special.eos { extra["eos_token_id"] = .number(Double(eos)) }
        }
        // A GGUF base carries its tokenizer in its metadata: written out as tokenizer.json.
        let tokenizerFiles = (try? source.sourceGGUF()?.tokenizerMetadata().huggingFaceFiles()) ?? [:]
        let summary: MergedHuggingFaceExport.Summary
        do {
            summary = try MergedHuggingFaceExport.write(source.merged, dtype: dtype, tokenizerFolder: source.sourceFolder,
                                                        extraFiles: tokenizerFiles, extraConfig: extra, to: url)
        } catch {
            throw CommandError("WriteError", "cannot write \(written): \(error)")
        }
        var text = "wrote \(written): \(source.weightsDescription) · \(summary.tensors) tensors \(dtype.rawValue) · "
            + "\(ExportGGUFCommand.size(summary.bytes)) · \(summary.files.joined(separator: ", "))"
        if !summary.files.contains("tokenizer.json") {
            text += "\nno tokenizer.json (the base came from neither a Hugging Face folder with one nor a GGUF file with a byte-level BPE tokenizer): copy the base's tokenizer files beside it"
        }
        context.result(text)
    }
}
