import AttuneLanguage
import Essentials
import Models
import TensorCore

/// `activations "TEXT" [layers=[…]] [compare=base]`: one forward pass over a text, keeping per
/// layer the residual stream `[T, C]`, the attention probabilities `[H, T, T]`, the attention
/// output and the MLP output `[T, C]` as tensor values labelled with the tokens.
struct ActivationsCommand: RuntimeCommand {
    /// Longest text it takes, in tokens (attention keeps `H × T × T` values per layer).
    static let maximumTokens = 512

    let spec = StandardSpec.named("activations")
    let schema = ArgumentSchema([
        .positional("text", .text, "the text to run, in quotes"),
        .keyed("layers", .list, "which layers to keep, e.g. [0, 15, 29] (all of them when left out)"),
        .keyed("compare", .choice(["base"]), "base: keep tuned minus base (the adapter's effect) instead of the values"),
    ])
    let help = CommandHelp("""
        Runs the model once over a text (no sampling, adapter dropout off) and returns, for each chosen \
        layer, what the block computed, as tensors you can compute with and plot: residual (the residual \
        stream after the block, [T, C]), attention (the attention probabilities per head, [H, T, T]: \
        row t is how token t spreads its attention over tokens 0 to t), attn_output and mlp (what \
        attention and the MLP add to the residual stream, [T, C]). Token positions carry the tokens as \
        labels, so heatmap(a.layers[1].attention[0]) draws an attention map with the tokens on both \
        axes. With compare=base every tensor is tuned minus base: the adapter's effect on that layer. \
        Use the value as a = activations "…", then a.tokens, a.layers[N].attention[h], a.layers[N].residual.
        """, examples: ["a = activations \"My API calls return 429\" layers=[0, 1]", "activations \"hello\"",
                        "d = activations \"My API calls return 429\" compare=base"])

    func run(_ context: CommandContext) throws {
        guard let loaded = context.session.model else { throw CommandError.noModel("activations") }
        guard let tokenizer = loaded.tokenizer else {
            throw CommandError("NotAvailable", "`activations` needs a tokenizer; model \(loaded.name) has \(loaded.tokenizerSummary)")
        }
        let text = context.arguments.word("text") ?? ""
        let textRange = context.range(of: "text")
        let ids = tokenizer.encode(text)
        let config = loaded.model.config
        guard !ids.isEmpty else { throw CommandError.invalidValue("the text has no tokens; give at least one character", at: textRange) }
        let limit = min(Self.maximumTokens, config.maxPositionEmbeddings)
        guard ids.count <= limit else {
            throw CommandError.invalidValue("the text has \(ids.count) tokens; activations takes at most \(limit): shorten it", at: textRange)
        }
        guard ids.allSatisfy({ $0 >= 0 && $0 < config.vocabSize }) else {
            throw CommandError("ModelError", "the tokenizer produced ids outside the model's vocabulary of \(config.vocabSize)")
        }
        let layers = try chosenLayers(context, count: config.layers)
        let compare = context.arguments.word("compare") == "base"
        let adapter = context.session.adapter
        if compare, adapter == nil {
            throw CommandError("NotAvailable", "compare=base needs an adapter to switch off: train with method lora, or adapter load PATH, first",
                               at: context.range(of: "compare"))
        }
        // Inspection sees the model as it answers: the adapter's dropout off.
        context.session.training?.adapter?.setTraining(false)
        defer { context.session.training?.adapter?.setTraining(true) }
        let tokens = ids.map(Int32.init)
        var kept = loaded.model.activations(tokens: tokens, layers: Set(layers))
        if compare, let adapter {
            let base = adapter.withoutAdapter(on: loaded.model) { loaded.model.activations(tokens: tokens, layers: Set(layers)) }
            kept = zip(kept, base).map { tuned, base in
                func minus(_ a: [Float], _ b: [Float]) -> [Float] { zip(a, b).map { Float(Double($0) - Double($1)) } }
                return BlockActivations(layer: tuned.layer, residual: minus(tuned.residual, base.residual), attention: minus(tuned.attention, base.attention),
                                        attentionOutput: minus(tuned.attentionOutput, base.attentionOutput), mlpOutput: minus(tuned.mlpOutput, base.mlpOutput))
            }
        }
        let labels = ids.map { Self.label(tokenizer.token(for: $0) ?? "?") }
        // Tensors are named after the result (`before.layers[15].attention`) so arithmetic on two
        // runs says which is which.
        let table = LayerActivations(blocks: kept, tokens: labels, heads: config.heads, width: config.hiddenSize,
                                     prefix: context.binding?.text ?? "activations")
        let t = ids.count
        var lines = ["activations of \(t) token\(t == 1 ? "" : "s") through \(loaded.name)\(compare ? ", tuned minus base" : "") · "
                     + "layers \(layers.map(String.init).joined(separator: ", ")) · residual [\(t), \(config.hiddenSize)], "
                     + "attention [\(config.heads), \(t), \(t)], attn_output and mlp [\(t), \(config.hiddenSize)] per layer"]
        lines.append("tokens: " + labels.prefix(24).map { TokenizeCommand.quoted($0) }.joined(separator: " ") + (t > 24 ? " … (\(t - 24) more)" : ""))
        for block in kept {
            let residual = TensorStatistics(block.residual), mlp = TensorStatistics(block.mlpOutput), attention = TensorStatistics(block.attentionOutput)
            lines.append("  layer \(block.layer): residual norm \(NumberText.stat(residual.norm)) · attn_output norm \(NumberText.stat(attention.norm)) · "
                         + "mlp norm \(NumberText.stat(mlp.norm))")
        }
        context.result(lines.joined(separator: "\n"))
        context.returns("activations", [
            ("tokens", .list(labels.map(ScriptValue.string))),
            ("layer_numbers", .list(layers.map { .number(Double($0)) })),
            ("layers", .opaque(table)),
        ])
    }

    /// The layers asked for, in increasing order (every layer when none are named).
    private func chosenLayers(_ context: CommandContext, count: Int) throws(CommandError) -> [Int] {
        guard let items = context.arguments.list("layers") else { return Array(0..<count) }
        guard !items.isEmpty else { throw CommandError.invalidValue("layers= names no layer; e.g. layers=[0, \(count - 1)]", at: context.range(of: "layers")) }
        var layers: [Int] = []
        for item in items {
            guard let number = item.number, number == number.rounded(), number >= 0, number < Double(count) else {
                throw CommandError.invalidValue("layer \(item.text) does not exist: the model has layers 0 to \(count - 1)", at: item.range)
            }
            layers.append(Int(number))
        }
        return Array(Set(layers)).sorted()
    }

    /// A token's text as a label: line breaks and tabs written out.
    static func label(_ piece: String) -> String {
        piece.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t").replacingOccurrences(of: "\r", with: "\\r")
    }
}

/// `a.layers`: the layers an `activations` run kept, indexed by layer number (`a.layers[15]`),
/// each a record of tensors: `residual`, `attention`, `attn_output`, `mlp`.
final class LayerActivations: OpaqueScriptValue, @unchecked Sendable {
    let records: [Int: ScriptRecord]
    let numbers: [Int]

    init(blocks: [BlockActivations], tokens: [String], heads: Int, width: Int, prefix: String) {
        let t = tokens.count
        var records: [Int: ScriptRecord] = [:]
        for block in blocks {
            let name = "\(prefix).layers[\(block.layer)]"
            func stream(_ field: String, _ values: [Float]) -> ScriptValue {
                .opaque(TensorValue(name: "\(name).\(field)", shape: [t, width], values: values, labels: [tokens, nil]))
            }
            records[block.layer] = ScriptRecord(kind: "layer activations", fields: [
                ("layer", .number(Double(block.layer))),
                ("residual", stream("residual", block.residual)),
                ("attention", .opaque(TensorValue(name: "\(name).attention", shape: [heads, t, t], values: block.attention,
                                                  labels: [(0..<heads).map { "head \($0)" }, tokens, tokens]))),
                ("attn_output", stream("attn_output", block.attentionOutput)),
                ("mlp", stream("mlp", block.mlpOutput)),
            ])
        }
        self.records = records
        numbers = blocks.map(\.layer)
    }

    var typeName: String { "layer table" }
    var displayText: String { "layers " + numbers.map(String.init).joined(separator: ", ") + " (index by layer number, e.g. [\(numbers.first ?? 0)])" }
    var fieldNames: [String] { ["numbers"] }

    func field(_ name: String) -> ScriptValue? {
        name == "numbers" ? .list(numbers.map { .number(Double($0)) }) : nil
    }

    func subscripted(_ items: [ScriptSubscript]) throws(CommandError) -> ScriptValue? {
        guard items.count == 1, case .index(let layer) = items[0] else {
            throw CommandError("TypeError", "index the layers by one layer number, e.g. a.layers[\(numbers.first ?? 0)]")
        }
        guard let record = records[layer] else {
            throw CommandError("NotFound", "layer \(layer) was not kept: this run kept layers \(numbers.map(String.init).joined(separator: ", ")); "
                               + "name it in layers=[…] of activations")
        }
        return .record(record)
    }
}
