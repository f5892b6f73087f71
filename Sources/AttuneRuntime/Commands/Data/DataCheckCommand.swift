import AttuneLanguage
import Datasets
import Tokenization

/// `data check [goal=]`: the guide's data checklist over the loaded set, as a table.
struct DataCheckCommand: RuntimeCommand {
    let spec = StandardSpec.named("data check")
    let schema = ArgumentSchema([
        .keyed("goal", .choice(["style", "task", "domain", "behaviour"]), default: "task", "what the fine-tune is for; it decides which checks matter"),
    ])
    let help = CommandHelp("""
        Runs the guide's data checklist with counts and line numbers: formats, empty or overlong \
        examples, exact and near duplicates, personal data, label and role balance, and the length \
        distribution against seq. With a model loaded, lengths are in the model's tokens, rendered \
        through its chat template and cut at seq, and the check counts the tokens that train; \
        without one, lengths are in characters and not compared with seq. goal= sets how many examples the size check expects \
        (style 100-500, task 500-2,000, domain 2,000-10,000, behaviour 10,000+).
        """, examples: ["data check", "data check goal=style"])

    func run(_ context: CommandContext) throws {
        let dataset = try DataCommands.dataset(context)
        let goal = context.arguments.word("goal").flatMap(TrainingGoal.init(named:)) ?? .task
        let seq = context.session.hyperparameters.seq
        // Without a tokenizer lengths are characters, which are not comparable with seq.
        var checker = DataChecker(goal: goal)
        if let renderer = DataCommands.renderer(context) {
            if renderer.template != nil || dataset.format != .chat {
                checker = DataChecker(goal: goal, renderer: renderer, sequenceLength: seq)
            } else {
                // A tokenizer without a chat template: token counts of the text, no loss mask.
                let tokenizer = renderer.tokenizer
                checker = DataChecker(goal: goal, tokenCounter: { example in
                    example.content.fields.reduce(0) { $0 + tokenizer.encode($1.text, options: EncodingOptions(parseSpecialTokens: false, addBOS: false)).ids.count }
                }, sequenceLength: seq)
                context.warn("model \(context.session.model?.name ?? "") has no chat template: lengths count the text's tokens without the template, and the training-signal check is skipped")
            }
        }
        let report: DataCheckReport
        do { report = try checker.check(dataset) } catch {
            throw DataCommands.commandError(error, context: context, at: context.command.range)
        }
        context.result(report.table())
        // d.duplicates.state, d.pii.count, …: one record per checklist row, then the totals.
        var fields: [(String, ScriptValue)] = report.sections.map { section in
            (section.name, .record(ScriptRecord(kind: "check", fields: [
                ("state", .string(section.status.rawValue)), ("count", .number(Double(section.count))),
                ("summary", .string(section.summary)),
            ])))
        }
        fields += [("status", .string(report.status.rawValue)), ("examples", .number(Double(report.examples))),
                   ("format", .string(report.format.rawValue)), ("file", .string(report.file))]
        context.returns("data check result", fields)
    }
}
