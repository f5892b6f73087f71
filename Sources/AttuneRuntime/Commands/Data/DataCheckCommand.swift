import AttuneLanguage
import Essentials
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
        (style 100-500, task 500-2,000, domain 2,000-10,000, behaviour 10,000+). After data mix, each file of \
        the mixture is checked on its own (the size check only for the loaded file) and the examples of the \
        mixed-in file that copy one of the loaded file are listed.
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
        var tables = [String]()
        var crossSource = 0
        do {
            if dataset.sourceCount > 1 {
                // A mixture: each file checked on its own (line numbers stay those of its file; the
                // size a goal needs is the loaded file's), then copies across the files.
                let parts = (0..<dataset.sourceCount).map { dataset.sourceSubset($0) }
                var reports = try parts.map { try checker.check($0) }
                for index in reports.indices.dropFirst() { reports[index].sections.removeAll { $0.name == "size" } }
                report = reports[0]
                let shares = parts.map { "\($0.fileName) \($0.count) (\(NumberText.percent(Double($0.count) / Double(dataset.count))))" }
                tables.append("mixture of \(dataset.count) examples: " + shares.joined(separator: " + "))
                tables += reports.map { $0.table() }
                for part in parts.dropFirst() {
                    let leaks = DatasetComparison.findLeaks(parts[0].examples, part.examples, nearThreshold: TrainingOverlap.nearThreshold)
                    crossSource += leaks.count
                    let first = leaks.prefix(3).map { "\(part.fileName):\(part.examples[$0.candidate].line) = \(parts[0].fileName):\(parts[0].examples[$0.reference].line) (\($0.kind.rawValue))" }
                    tables.append("across files: " + (leaks.isEmpty ? "no example of \(part.fileName) is a copy or near copy of one in \(parts[0].fileName)"
                        : "\(leaks.count) examples of \(part.fileName) also occur in \(parts[0].fileName): " + first.joined(separator: ", ")
                          + (leaks.count > 3 ? ", …" : "") + "; they may land in different parts of a split"))
                }
            } else {
                report = try checker.check(dataset)
                tables.append(report.table())
            }
        } catch {
            throw DataCommands.commandError(error, context: context, at: context.command.range)
        }
        context.result(tables.joined(separator: "\n"))
        // d.duplicates.state, d.pii.count, …: one record per checklist row, then the totals.
        var fields: [(String, ScriptValue)] = report.sections.map { section in
            (section.name, .record(ScriptRecord(kind: "check", fields: [
                ("state", .string(section.status.rawValue)), ("count", .number(Double(section.count))),
                ("summary", .string(section.summary)),
            ])))
        }
        fields += [("status", .string(report.status.rawValue)), ("examples", .number(Double(report.examples))),
                   ("format", .string(report.format.rawValue)), ("file", .string(report.file)),
                   ("sources", .number(Double(dataset.sourceCount))), ("cross_source_copies", .number(Double(crossSource)))]
        context.returns("data check result", fields)
    }
}
