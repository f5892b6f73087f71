import Foundation
import AttuneLanguage
import TensorCore

/// `show PATH`: one tensor's shape, dtype, statistics and a readable slice; `.grad` for its
/// gradient; or a result named with `name = command`.
struct ShowCommand: RuntimeCommand {
    let spec = StandardSpec.named("show")
    let schema = ArgumentSchema([.positional("path", .tensorPath, "a tensor name (short or Hugging Face), with .grad and [slices]; or a named result")])
    let help = CommandHelp("""
        Inspects a tensor: its shape, dtype and count, mean, standard deviation, min, max, L2 norm and \
        number of non-finite values, then the values themselves (at most 8 rows and 8 columns are \
        printed; a slice chooses which). With a slice such as [0:4, :8] or [-1] the statistics are of the slice. Add \
        .grad for the gradient once training has run. Names are short (layers.0.attn.q_proj) or Hugging \
        Face (model.layers.0.self_attn.q_proj.weight): see help names. A weight kept in its file's \
        quantization (a GGUF model's Q4_1 or Q8_0 matrices) shows its type and bits per weight, with \
        statistics and values dequantized to float32. A name given to a result with \
        `name = command` shows that result again.
        """, examples: ["show layers.0.attn.q_proj", "show embed[0:2, :8]", "show layers.1.mlp.down_proj[-1]", "show layers.0.attn.q_proj.grad"])

    func run(_ context: CommandContext) throws {
        guard let path = context.arguments.path("path") else { return }
        let range = context.range(of: "path")
        if path.isPattern {
            throw CommandError.invalidValue("show takes one tensor; list \(path) lists every tensor the pattern matches", at: range)
        }
        let name = path.tensorName
        if path.slices.isEmpty, !path.isGradient, case .record(let record)? = context.variable(name), let origin = record.origin {
            context.result("\(name) = \(origin.statement)\n" + (origin.output.resultText ?? "(no result text)"))
            return
        }
        if path.slices.isEmpty, !path.isGradient, case let value? = context.variable(name), path.components.count == 1 {
            context.result("\(name) = \(value.sourceText)")
            return
        }
        if path.slices.isEmpty, !path.isGradient, let named = context.session.results[name] {
            context.result("\(name) = \(named.statement)\n" + (named.output.resultText ?? "(no result text)"))
            return
        }
        guard let loaded = context.session.model else { throw CommandError.noModel("show") }
        guard let entry = loaded.catalog.entry(name) else {
            let guess = loaded.catalog.suggestion(for: name)
            throw CommandError.notFound("no tensor '\(name.clippedForMessage)'" + (guess.map { " — did you mean '\($0)'?" } ?? "; list shows the names"),
                                        at: range, suggestion: guess)
        }
        if let matrix = entry.quantized {
            context.result(try Self.describe(matrix, entry: entry, path: path, at: range))
            return
        }
        var tensor = entry.tensor
        if path.isGradient {
            guard let grad = tensor.grad else {
                throw CommandError.notFound("\(entry.short) has no gradient yet: gradients exist after a training step on a trainable tensor", at: range)
            }
            tensor = grad
        }
        let label = entry.short + (path.isGradient ? ".grad" : "")
        let selection: TensorSelection
        do { selection = try TensorSelection(items: path.slices, shape: tensor.shape, name: label) } catch {
            throw error.located(default: range)
        }
        let values = withExtendedLifetime(tensor) {
            let pointer = tensor.pointer
            return selection.gather(shape: tensor.shape) { pointer[$0] }
        }
        var lines = ["\(label)  (\(entry.huggingFace)\(path.isGradient ? " gradient" : ""))"]
        lines.append("shape \(tensor.shape) · float32 · \(NumberText.grouped(tensor.count)) values")
        lines += Self.body(values, selection: selection, path: path)
        context.result(lines.joined(separator: "\n"))
    }

    /// The slice line (when sliced), the statistics and the printed values.
    static func body(_ values: [Float], selection: TensorSelection, path: TensorPath) -> [String] {
        var lines: [String] = []
        if !path.slices.isEmpty {
            let items = path.slices.map(\.description).joined(separator: ", ")
            lines.append("slice [\(items)] → shape \(selection.shape) · \(NumberText.grouped(values.count)) values")
        }
        lines.append(TensorStatistics(values).line)
        if values.isEmpty {
            lines.append("  (the slice is empty)")
        } else {
            lines.append(TensorFormatting.block(values, shape: selection.shape))
        }
        return lines
    }

    /// A weight kept in its file's quantization (`Q4_1`, `Q8_0`, …): the same report as for a
    /// float32 tensor, from the values dequantized to float32. Only the rows the slice touches
    /// are dequantized (all of them for the statistics of the whole matrix), one at a time.
    static func describe(_ matrix: QuantizedMatrix, entry: TensorCatalog.Entry, path: TensorPath, at range: SourceRange) throws(CommandError) -> String {
        if path.isGradient {
            throw CommandError.notFound("\(entry.short) is stored quantized (\(matrix.type)) and stays frozen, so it has no gradient; "
                                        + "LoRA and QLoRA train adapter matrices beside it (list \(entry.short))", at: range)
        }
        let selection: TensorSelection
        do { selection = try TensorSelection(items: path.slices, shape: matrix.shape, name: entry.short) } catch {
            throw error.located(default: range)
        }
        let cols = matrix.cols
        // The rows from the first to the last selected one, dequantized into one buffer.
        let selectedRows = selection.positions[0]
        let first = selectedRows.min() ?? 0, last = selectedRows.max() ?? -1
        var dense = [Float](repeating: 0, count: max(0, last - first + 1) * cols)
        if last >= first {
            dense.withUnsafeMutableBufferPointer { matrix.dequantize(rows: first..<(last + 1), into: $0) }
        }
        let offset = first * cols
        let values = selection.gather(shape: matrix.shape) { dense[$0 - offset] }
        let bits = Double(matrix.byteCount * 8) / Double(max(1, matrix.rows * cols))
        var lines = ["\(entry.short)  (\(entry.huggingFace))"]
        lines.append("shape \(matrix.shape) · \(matrix.type) (\(NumberText.stat(bits, digits: 3)) bits/weight, \(NumberText.grouped(matrix.byteCount)) bytes) · "
                     + "\(NumberText.grouped(matrix.rows * cols)) values, shown dequantized to float32")
        lines += body(values, selection: selection, path: path)
        return lines.joined(separator: "\n")
    }
}

/// `list [PATTERN] [names=short|hf]`: the tensors whose names match a glob.
struct ListCommand: RuntimeCommand {
    let spec = StandardSpec.named("list")
    let schema = ArgumentSchema([
        .positional("pattern", .tensorPath, default: "*", required: false, "a name or glob: * matches within one dotted part, and everything below a match is listed"),
        .keyed("names", .choice(["short", "hf"]), default: "short", "which names to print: Attune's short names or Hugging Face names"),
    ])
    let help = CommandHelp("""
        Lists tensors with their shapes and sizes. The pattern matches short or Hugging Face names; * \
        stands for any run of characters within one dotted part, and a pattern matches everything below \
        it, so list layers.0 lists the whole first block and list layers.*.attn.q_proj every query \
        projection. See help names for the naming.
        """, examples: ["list", "list layers.*.attn.*", "list layers.0", "list *norm names=hf"])

    func run(_ context: CommandContext) throws {
        guard let loaded = context.session.model else { throw CommandError.noModel("list") }
        let path = context.arguments.path("pattern") ?? TensorPath([.name("*")])
        let range = context.range(of: "pattern")
        guard path.slices.isEmpty else {
            throw CommandError.invalidValue("list takes a name pattern without slices; show \(path) shows a slice", at: range)
        }
        let pattern = path.tensorName + (path.isGradient ? ".grad" : "")
        let matches = loaded.catalog.matching(pattern)
        guard !matches.isEmpty else {
            let guess = loaded.catalog.suggestion(for: pattern)
            throw CommandError.notFound("no tensor matches '\(pattern.clippedForMessage)'" + (guess.map { " — did you mean '\($0)'?" } ?? "; list alone shows every tensor"),
                                        at: range, suggestion: guess)
        }
        let useHF = context.arguments.word("names") == "hf"
        let names = matches.map { useHF ? $0.huggingFace : $0.short }
        let shapes = matches.map { "\($0.shape)" }
        let nameWidth = names.map(\.count).max() ?? 0, shapeWidth = shapes.map(\.count).max() ?? 0
        let total = matches.reduce(0) { $0 + $1.count }
        var lines = ["\(matches.count) tensor\(matches.count == 1 ? "" : "s") · \(NumberText.grouped(total)) values"]
        for (i, entry) in matches.enumerated() {
            lines.append("  " + names[i].padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
                         + shapes[i].padding(toLength: shapeWidth, withPad: " ", startingAt: 0) + "  "
                         + NumberText.grouped(entry.count) + (entry.quantized.map { "  \($0.type)" } ?? ""))
        }
        context.result(lines.joined(separator: "\n"))
    }
}
