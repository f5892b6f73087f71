import AttuneLanguage
import Foundation
import Models
import Tokenization

/// `model new tiny [layers= dim= heads= kv_heads= mlp= ctx=]`: a random toy Llama (see `TinyModelOptions`).
struct ModelNewCommand: RuntimeCommand {
    /// Largest toy model `model new tiny` builds (values, not bytes).
    static let maximumParameters = 50_000_000
    let spec = StandardSpec.named("model new")
    let schema = ArgumentSchema([
        .positional("size", .choice(["tiny"]), "the model size; only tiny for now"),
        .keyed("layers", .integer(.closed(1, 64)), default: "2", "transformer blocks"),
        .keyed("dim", .integer(.closed(8, 4096)), default: "64", "model width C (a multiple of heads)"),
        .keyed("heads", .integer(.closed(1, 256)), default: "4", "attention heads H"),
        .keyed("kv_heads", .integer(.closed(1, 256)), default: "2", "key/value heads K (divides heads; half the heads when heads is given and even)"),
        .keyed("mlp", .integer(.closed(1, 16384)), default: "176", "MLP width F"),
        .keyed("ctx", .integer(.closed(8, 65536)), default: "256", "longest context in tokens"),
    ])
    let help = CommandHelp("""
        Creates a small Llama with random weights for teaching and quick experiments: seconds per \
        training run on a laptop CPU. Its vocabulary is the 256 bytes plus the ChatML special tokens \
        <|endoftext|>, <|im_start|> and <|im_end|> (259 ids), embeddings are tied to the output layer, and \
        every matrix is drawn from normal(0, 0.02) with the session seed (norm weights are 1), so the \
        same seed gives the same model. The head dimension is dim/heads and must be even.
        """, examples: ["model new tiny", "model new tiny layers=2 dim=64 heads=4", "model new tiny layers=4 dim=128 heads=8 kv_heads=2 mlp=344"])

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        var options = TinyModelOptions()
        options.layers = a.integer("layers") ?? options.layers
        options.dim = a.integer("dim") ?? options.dim
        options.heads = a.integer("heads") ?? options.heads
        // Without kv_heads: 2 for the default 4 heads, else half the heads when even (grouped-query
        // attention), else as many as heads.
        if let kvHeads = a.integer("kv_heads") {
            options.kvHeads = kvHeads
        } else if a.has("heads") {
            options.kvHeads = options.heads % 2 == 0 ? options.heads / 2 : options.heads
        }
        options.mlp = a.integer("mlp") ?? options.mlp
        options.context = a.integer("ctx") ?? options.context
        guard options.dim % options.heads == 0 else {
            throw CommandError.invalidValue("dim=\(options.dim) must be a multiple of heads=\(options.heads)", at: context.range(of: a.has("dim") ? "dim" : "heads"))
        }
        guard (options.dim / options.heads) % 2 == 0 else {
            throw CommandError.invalidValue("the head dimension dim/heads = \(options.dim / options.heads) must be even for rotary embeddings",
                                            at: context.range(of: a.has("heads") ? "heads" : "dim"))
        }
        guard options.kvHeads <= options.heads, options.heads % options.kvHeads == 0 else {
            throw CommandError.invalidValue("kv_heads=\(options.kvHeads) must divide heads=\(options.heads)", at: context.range(of: "kv_heads"))
        }
        let count = options.configuration.parameterCount
        guard count <= ModelNewCommand.maximumParameters else {
            throw CommandError.invalidValue("this model would have \(NumberText.grouped(count)) parameters; model new tiny builds up to \(NumberText.grouped(ModelNewCommand.maximumParameters))",
                                            at: context.command.range)
        }
        let loaded = SessionModel(try Models.LoadedModel.tiny(options, seed: context.session.seed),
                                  origin: "random init, seed \(context.session.seed)")
        context.session.endTraining()
        context.session.model = loaded
        context.result(ModelInfoCommand.oneLine(loaded))
        context.session.modelObserver?(ModelProvenance(name: "tiny", config: [
            ("layers", options.layers), ("dim", options.dim), ("heads", options.heads), ("kv_heads", options.kvHeads),
            ("mlp", options.mlp), ("ctx", options.context)]))
    }
}

/// `model load NAME|PATH`: a Hugging Face folder now; GGUF files and built-in names once the
/// Models work lands (see `ModelLoader`).
struct ModelLoadCommand: RuntimeCommand {
    let spec = StandardSpec.named("model load")
    let schema = ArgumentSchema([.positional("source", .path, "a built-in name (smollm2), a .gguf file or a Hugging Face folder")])
    let help = CommandHelp("""
        Loads a model. A Hugging Face folder needs config.json and model.safetensors (or shards with \
        model.safetensors.index.json); its tokenizer.json is used when present. Built-in names such as \
        smollm2 and .gguf files are recognised but not loadable yet in this build. Relative paths resolve \
        against the notebook's folder (run, replay, verify) or the current directory.
        """, examples: ["model load \"models/SmolLM2-135M-Instruct\"", "model load smollm2"])

    func run(_ context: CommandContext) throws {
        guard let written = context.arguments.word("source") else { return }
        let source: ModelSource
        do {
            source = try ModelSource.locate(written) { (path: String) throws(CommandError) -> URL in
                try context.resolvePath(path, argument: "source")
            }
            // Links inside an allowed folder are checked too (an untrusted notebook's model folder).
            if case .huggingFace(let folder) = source { try context.session.paths.checkContents(of: folder) }
        } catch {
            throw error.located(default: context.range(of: "source"))
        }
        let loaded: SessionModel
        do { loaded = try ModelLoader.load(source, written: written) } catch let error as CommandError {
            throw error.located(default: context.range(of: "source"))
        }
        context.session.endTraining()
        context.session.model = loaded
        context.result(ModelInfoCommand.oneLine(loaded))
        if let observer = context.session.modelObserver { observer(ModelLoader.provenance(of: source, written: written)) }
    }
}

/// `model info`: the architecture, sizes, parameter count and memory of the model.
struct ModelInfoCommand: RuntimeCommand {
    let spec = StandardSpec.named("model info")
    let schema = ArgumentSchema.none
    let help = CommandHelp("""
        Describes the model: where it came from, architecture and sizes (layers, width, heads, kv heads, \
        head dimension, MLP width), context, rotary base, vocabulary and tokenizer, parameter count, how \
        the weights are stored (float32 or the file's quantization, kept as is) and the memory they take.
        """, examples: ["model info"])

    func run(_ context: CommandContext) throws {
        guard let loaded = context.session.model else { throw CommandError.noModel("model info") }
        let c = loaded.model.config
        let count = c.parameterCount
        var lines = ["model \(loaded.name) (\(loaded.origin))"]
        lines.append("architecture  llama · \(c.layers) layer\(c.layers == 1 ? "" : "s") · width \(c.hiddenSize) · \(c.heads) heads, \(c.kvHeads) kv heads, head dim \(c.headDim) · mlp \(c.intermediateSize)")
        lines.append("context       \(c.maxPositionEmbeddings) tokens · rope theta \(NumberText.short(c.ropeTheta)) · rms eps \(NumberText.short(Double("\(c.rmsNormEps)") ?? Double(c.rmsNormEps)))"
                     + (c.tieWordEmbeddings ? " · tied embeddings" : ""))
        lines.append("vocabulary    \(c.vocabSize) · tokenizer \(loaded.tokenizerSummary)")
        let layout = loaded.model.storageCounts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        let bytes = loaded.model.weightBytes
        lines.append("parameters    \(NumberText.grouped(count)) (\(Self.millions(count))) · \(layout) · \(NumberText.bytes(bytes)) of weights"
                     + String(format: " (%.1f bits/weight)", Double(bytes * 8) / Double(max(count, 1))))
        context.result(lines.joined(separator: "\n"))
        context.returns("model info", [
            ("name", .string(loaded.name)), ("layers", .number(Double(c.layers))), ("dim", .number(Double(c.hiddenSize))),
            ("heads", .number(Double(c.heads))), ("kv_heads", .number(Double(c.kvHeads))), ("head_dim", .number(Double(c.headDim))),
            ("mlp", .number(Double(c.intermediateSize))), ("ctx", .number(Double(c.maxPositionEmbeddings))),
            ("vocab", .number(Double(c.vocabSize))), ("parameters", .number(Double(count))), ("weight_bytes", .number(Double(bytes))),
        ])
    }

    /// `model tiny · llama · 2 layers · width 64 · 4 heads · vocab 259 · 0.11 M parameters`.
    static func oneLine(_ loaded: SessionModel) -> String {
        let c = loaded.model.config
        return "model \(loaded.name) · llama · \(c.layers) layer\(c.layers == 1 ? "" : "s") · width \(c.hiddenSize) · \(c.heads) heads (\(c.kvHeads) kv) · vocab \(c.vocabSize) · \(millions(c.parameterCount)) parameters"
    }

    /// `2,992`, `0.11 M`, `134.5 M`.
    static func millions(_ count: Int) -> String {
        if count < 100_000 { return NumberText.grouped(count) }
        return String(format: count < 10_000_000 ? "%.2f M" : "%.1f M", Double(count) / 1e6)
    }
}
