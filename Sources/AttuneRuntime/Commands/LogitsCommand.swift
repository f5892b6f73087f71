import AttuneLanguage
import Foundation
import TensorCore
import Tokenization

/// `logits "TEXT" [top=N]`: the model's next-token distribution after a text.
struct LogitsCommand: RuntimeCommand {
    let spec = StandardSpec.named("logits")
    let schema = ArgumentSchema([
        .positional("text", .text, "the text to continue, in quotes"),
        .keyed("top", .integer(.closed(1, 100)), default: "5", "how many of the most likely tokens to show"),
    ])
    let help = CommandHelp("""
        Runs the model over a text and shows the most likely next tokens with their logits and \
        probabilities (softmax over the whole vocabulary). A random tiny model spreads its probability \
        almost evenly (about 1/259 per token); a trained one concentrates it.
        """, examples: ["logits \"The capital of France is\" top=5"])

    func run(_ context: CommandContext) throws {
        guard let loaded = context.session.model else { throw CommandError.noModel("logits") }
        guard let tokenizer = loaded.tokenizer else {
            throw CommandError("NotAvailable", "`logits` needs a tokenizer; model \(loaded.name) has \(loaded.tokenizerSummary)")
        }
        let text = context.arguments.word("text") ?? ""
        let top = context.arguments.integer("top") ?? 5
        let ids = tokenizer.encode(text)
        let config = loaded.model.config
        guard !ids.isEmpty else { throw CommandError.invalidValue("the text has no tokens; give at least one character", at: context.range(of: "text")) }
        guard ids.count <= config.maxPositionEmbeddings else {
            throw CommandError.invalidValue("the text has \(ids.count) tokens; the model's context is \(config.maxPositionEmbeddings)", at: context.range(of: "text"))
        }
        guard ids.allSatisfy({ $0 >= 0 && $0 < config.vocabSize }) else {
            throw CommandError("ModelError", "the tokenizer produced ids outside the model's vocabulary of \(config.vocabSize)")
        }
        // Inspection sees the model as it answers: the adapter's dropout off.
        context.session.training?.adapter?.setTraining(false)
        defer { context.session.training?.adapter?.setTraining(true) }
        let tape = Tape(recording: false)
        let logits = loaded.model.logits(tokens: ids.map(Int32.init), batch: 1, tape: tape)
        let vocabulary = logits.columns
        let last: [Double] = withExtendedLifetime(logits) {
            let base = logits.pointer + (logits.rows - 1) * vocabulary
            return (0..<vocabulary).map { Double(base[$0]) }
        }
        let peak = last.max() ?? 0
        let total = last.reduce(0) { $0 + exp($1 - peak) }
        let ranked = last.indices.sorted { last[$0] != last[$1] ? last[$0] > last[$1] : $0 < $1 }.prefix(top)
        var lines = ["next token after \(ids.count) token\(ids.count == 1 ? "" : "s") (top \(ranked.count) of \(vocabulary)):"]
        for (rank, id) in ranked.enumerated() {
            let probability = exp(last[id] - peak) / total
            let piece = TokenizeCommand.quoted(tokenizer.token(for: id) ?? "?")
            lines.append(String(format: "  %2d  id %5d  %@  logit %@  p %@", rank + 1, id, piece.padding(toLength: max(6, piece.count), withPad: " ", startingAt: 0),
                                NumberText.stat(last[id]), NumberText.stat(probability)))
        }
        context.result(lines.joined(separator: "\n"))
    }
}
