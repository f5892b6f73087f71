import AttuneLanguage
import Essentials
import Foundation
import ModelFormats
import Models
import TensorCore
import Training

/// `export gguf PATH [merge=true] [type=f16|q8_0|q4_0|f32] [check=N]`: a GGUF file for llama.cpp.
///
/// - `merge=false` (default): the run's LoRA adapter as a GGUF adapter (`llama-cli -m BASE.gguf
///   --lora PATH`); it needs an adapter.
/// - `merge=true`: the whole model with the adapter folded into its original base weights
///   (`W + s·B·A`; for QLoRA the weights before NF4, never the 4-bit copy), or the weights as
///   they are after full fine-tuning or without a run; then the perplexity of the trained model,
///   of the float32 merge and of the file as written, on `check` validation rows.
struct ExportGGUFCommand: RuntimeCommand {
    let spec = StandardSpec.named("export gguf")
    let schema = ArgumentSchema([
        .positional("path", .path, "the .gguf file to write"),
        .keyed("merge", .bool, default: "false",
               "false: write the LoRA adapter as a llama.cpp adapter (--lora); true: fold it into the base and write the whole model"),
        .keyed("type", .choice(GGUFExportType.allCases.map(\.rawValue)), default: "f16",
               "storage of a merged model: f16, q8_0, q4_0 (embeddings kept in q8_0) or f32; an adapter is always f32"),
        .keyed("check", .integer(.closed(0, 64)), default: "4",
               "validation rows on which to compare perplexity before and after writing a merged model (0: skip)"),
    ])
    let help = CommandHelp("""
        Writes a GGUF file for llama.cpp. Without merge (the default) it writes the LoRA adapter of the current \
        run as llama.cpp's convert_lora_to_gguf.py does (general.type=adapter, adapter.lora.alpha, \
        blk.N.attn_q.weight.lora_a/lora_b, Q/K rows in llama.cpp's order): load it with \
        `llama-cli -m BASE.gguf --lora PATH`. With merge=true it folds the adapter into the base weights \
        (the original weights, also after QLoRA) and writes the whole model in type= f16 (default), q8_0, \
        q4_0 or f32, with the tokenizer of the base's GGUF file, then reports the perplexity of the trained model, \
        of the merged float32 weights and of the written file on a few validation rows, so the cost of \
        the requantization is visible. Without an adapter (full fine-tuning, or no run), merge=true writes \
        the model's weights as they are. Files are written atomically.
        """, examples: ["export gguf \"out/support-lora.gguf\"",
                        "export gguf \"out/support.gguf\" merge=true",
                        "export gguf \"out/support-q8.gguf\" merge=true type=q8_0"])

    func run(_ context: CommandContext) throws {
        guard let written = context.arguments.word("path") else { return }
        let url = try context.resolvePath(written, argument: "path")
        let source = try ExportSource(context, command: "export gguf")
        try ExportSource.checkTarget(url, written: written, folder: false)
        if context.arguments.bool("merge") == true {
            try writeMerged(context, source: source, url: url, written: written)
        } else {
            try writeAdapter(context, source: source, url: url, written: written)
        }
    }

    private func writeAdapter(_ context: CommandContext, source: ExportSource, url: URL, written: String) throws {
        if let type = context.arguments.word("type"), type != "f32" {
            throw CommandError("InvalidValue", "type=\(type) applies to a merged model: an adapter is written in f32 (add merge=true to write the model)",
                               at: context.arguments.range(of: "type"))
        }
        guard let adapter = source.adapter else {
            let why = source.methodSummary == nil ? "there is no training run: choose `method lora` (or qlora) and `train` first"
                                                  : "the current run is full fine-tuning, which has no adapter"
            throw CommandError("NoAdapter", "no adapter to export: \(why); `export gguf \(quoted(written)) merge=true` writes the model's weights")
        }
        let architecture = try source.sourceGGUF()?.architecture
        let bytes: Int
        do {
            bytes = try GGUFAdapterExport.write(adapter, config: source.model.config, architecture: architecture,
                                                name: "\(source.name) LoRA", to: url)
        } catch {
            throw CommandError("WriteError", "cannot write \(written): \(error)")
        }
        let c = adapter.configuration
        context.result("wrote a llama.cpp LoRA adapter to \(written): \(adapter.layers.count) modules × 2 F32 tensors · r=\(c.rank) · "
                       + "adapter.lora.alpha=\(NumberText.short(Double(GGUFAdapterExport.llamaCppAlpha(adapter)))) · \(Self.size(bytes))\n"
                       + "use it with: llama-cli -m \(source.origin?.lastPathComponent ?? "BASE.gguf") --lora \(written)")
    }

    private func writeMerged(_ context: CommandContext, source: ExportSource, url: URL, written: String) throws {
        let type = GGUFExportType(rawValue: context.arguments.word("type") ?? "f16") ?? .f16
        let gguf = try source.sourceGGUF()
        let summary: MergedGGUFExport.Summary
        do {
            summary = try MergedGGUFExport.write(source.merged, type: type, source: gguf, name: source.name, to: url)
        } catch {
            throw CommandError("WriteError", "cannot write \(written): \(error)")
        }
        var lines = ["wrote \(written): \(source.weightsDescription) · \(summary.typesText) · \(Self.size(summary.bytes))"]
        if summary.copiedTensors > 0 { lines.append("\(summary.copiedTensors) unchanged tensors copied block for block from the base") }
        if !summary.fallbacks.isEmpty {
            lines.append("\(summary.fallbacks.count) tensors stored as F16 because their rows do not fill 32-value blocks (\(summary.fallbacks.prefix(2).joined(separator: ", "))\(summary.fallbacks.count > 2 ? ", …" : ""))")
        }
        if gguf == nil { lines.append("no tokenizer metadata (the base did not come from a GGUF file): Attune reads the weights, llama.cpp also needs a tokenizer") }
        let rows = context.arguments.integer("check") ?? 4
        if rows > 0 {
            if let check = try perplexityCheck(source: source, url: url, rows: rows, type: type) { lines.append(check) }
            else { lines.append("perplexity check skipped: no training run with data to measure on") }
        }
        context.result(lines.joined(separator: "\n"))
    }

    /// `perplexity on 4 validation rows (812 tokens): trained 5.21 · merged float32 5.20 · file (Q8_0) 5.21 (+0.02%)`.
    private func perplexityCheck(source: ExportSource, url: URL, rows: Int, type: GGUFExportType) throws -> String? {
        let batches = Perplexity.firstRows(source.checkBatches, rows)
        guard !batches.isEmpty else { return nil }
        source.adapter?.setTraining(false)
        defer { source.adapter?.setTraining(true) }
        guard let trained = Perplexity.of(source.model, on: batches) else { return nil }
        let mergedModel = try source.merged.denseModel()
        let merged = Perplexity.of(mergedModel, on: batches)
        let reloaded: LlamaModel
        do { reloaded = try LlamaModel.load(gguf: GGUFFile(contentsOf: url)) } catch {
            throw CommandError("ReadError", "wrote the file but cannot read it back: \(error)")
        }
        let file = Perplexity.of(reloaded, on: batches)
        func ppl(_ p: Perplexity?) -> String { p.map { String(format: "%.4f", $0.value) } ?? "–" }
        var change = ""
        if let merged, let file {
            change = String(format: " (%+.3f%% vs merged)", (file.value / merged.value - 1) * 100)
        }
        return "perplexity on \(batches.count) rows (\(trained.tokens) tokens): trained model \(ppl(trained)) · "
            + "merged float32 \(ppl(merged)) · written file (\(type.rawValue)) \(ppl(file))\(change)"
    }

    static func size(_ bytes: Int) -> String {
        NumberText.bytes(bytes)
    }
}

private func quoted(_ path: String) -> String { "\"\(path)\"" }
