import AttuneLanguage
import Datasets

/// `data show N`: one example rendered as the model sees it, trained tokens marked.
struct DataShowCommand: RuntimeCommand {
    let spec = StandardSpec.named("data show")
    let schema = ArgumentSchema([
        .positional("n", .integer(.nonNegative), "the example's number, from 0"),
    ])
    let help = CommandHelp("""
        Shows one example rendered with the model's chat template (or the plain prompt layout for \
        completion and text data) and cut at seq, the way training sees it: a header with its source \
        line, token count and trained-token count, then the text with the tokens that count in the \
        loss in ⟦…⟧. Needs a model with a tokenizer (model new tiny or model load). N counts the \
        loaded examples from 0, in file order.
        """, examples: ["data show 0"])

    func run(_ context: CommandContext) throws {
        let dataset = try DataCommands.dataset(context)
        guard let loaded = context.session.model else { throw CommandError.noModel("data show") }
        guard let renderer = DataCommands.renderer(context) else {
            throw CommandError("NotAvailable", "`data show` needs a tokenizer; model \(loaded.name) has \(loaded.tokenizerSummary)")
        }
        let index = context.arguments.integer("n") ?? 0
        guard index < dataset.count else {
            throw CommandError.invalidValue("there is no example \(index): \(dataset.fileName) has \(dataset.count) example\(dataset.count == 1 ? "" : "s"), numbered 0 to \(dataset.count - 1)",
                                            at: context.range(of: "n"))
        }
        let rendered: RenderedExample
        do { rendered = try renderer.render(dataset.examples[index], file: dataset.fileName) } catch {
            throw DataCommands.commandError(error, context: context, at: context.range(of: "n"))
        }
        var text = "example \(index), \(dataset.fileName) " + rendered.display(tokenizer: renderer.tokenizer, style: .brackets)
        while text.last?.isNewline == true { text.removeLast() }
        context.result(text)
    }
}
