import Foundation
import Essentials
import AttuneLanguage

/// `help [TOPIC]` and `?TOPIC`: the command list, one command (`help model load`), a noun's verbs
/// (`help data`), a hyperparameter (`?lr`), the grammar (`help syntax`), the hyperparameter table
/// (`help hyperparameters`), tensor naming (`help names`) or the example notebooks (`help notebooks`).
struct HelpCommand: RuntimeCommand {
    let spec = StandardSpec.named("help")
    let schema = ArgumentSchema([], rest: .positional("topic", .path, required: false, "a command, hyperparameter or topic"))
    let help = CommandHelp("""
        Explains Attune. With no topic it lists the commands. A topic is a command (help train, \
        help model load), a command group (help data), a hyperparameter (help lr, or ?lr: meaning, \
        current value, recommended range, what too high or too low looks like), or one of syntax, \
        hyperparameters, names and notebooks (the example notebooks, in course order).
        """, examples: ["help", "help model new", "?lr", "help syntax", "help names", "help notebooks"])

    /// Topics that are not commands or keys.
    static let extraTopics = ["syntax", "hyperparameters", "names", "notebooks"]

    func run(_ context: CommandContext) throws {
        let registry = context.registry
        let words = context.arguments.rest.compactMap { value -> String? in
            if case .word(let word) = value { return word }
            return nil
        }
        guard !words.isEmpty else {
            context.result(Self.overview(registry))
            return
        }
        let topic = words.joined(separator: " ")
        if let command = registry.command(named: topic) {
            context.result(Self.text(for: command))
            return
        }
        if words.count == 1 {
            let word = words[0]
            if let value = context.variable(word) {
                var text = ValueDescription.help(name: word, value: value)
                if let spec = HyperparameterTable.spec(word) {
                    text += "\n\nThe hyperparameter \(word):\n" + HyperparameterAdvice.helpText(spec, session: context.session)
                }
                context.result(text)
                return
            }
            if Builtin.all[word] != nil || Keyword.all.contains(word) {
                context.result(ValueDescription.help(builtinOrKeyword: word))
                return
            }
            // A noun that is also a command (`eval`) shows the command's own help.
            if registry.table.nouns.contains(word), registry.command(named: word) == nil {
                context.result(Self.group(word, registry))
                return
            }
            if word == "?" { context.result(Self.text(for: self)); return }
            if let spec = HyperparameterTable.spec(word) {
                context.result(HyperparameterAdvice.helpText(spec, session: context.session))
                return
            }
            if let canonical = HyperparameterTable.aliases[word], let spec = HyperparameterTable.spec(canonical) {
                context.result("'\(word)' is called '\(canonical)' in Attune.\n" + HyperparameterAdvice.helpText(spec, session: context.session))
                return
            }
            switch word {
            case "syntax": context.result(Grammar.text); return
            case "hyperparameters", "keys": context.result(Self.hyperparameterList()); return
            case "names", "tensors": context.result(ParameterNames.helpText); return
            case "notebooks", "examples": context.result(ExampleNotebooks.helpText); return
            default: break
            }
        }
        let candidates = registry.table.commands.map(\.name) + registry.table.nouns + HyperparameterTable.names + Self.extraTopics
        let guess = suggest(topic, from: candidates)
        throw CommandError.notFound("no help on '\(topic.clippedForMessage)'" + (guess.map { " — did you mean '\($0)'?" } ?? "; type help to list the commands"),
                                    at: context.arguments.restRanges.first.map { first in
                                        context.arguments.restRanges.dropFirst().reduce(first) { $0.union($1) }
                                    },
                                    suggestion: guess)
    }

    /// Every command with its summary, grouped, unavailable ones marked.
    static func overview(_ registry: CommandRegistry) -> String {
        let commands = registry.ordered
        let width = min(24, commands.map(\.spec.name.count).max() ?? 10)
        var lines = ["Attune \(AttuneVersion.current) commands (help COMMAND for details, ?KEY for a hyperparameter, help syntax for the grammar):"]
        for command in commands {
            lines.append("  " + command.spec.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + command.spec.summary)
        }
        return lines.joined(separator: "\n")
    }

    /// The verbs of a noun.
    static func group(_ noun: String, _ registry: CommandRegistry) -> String {
        let commands = registry.ordered.filter { $0.spec.noun == noun }
        var lines = ["\(noun) commands:"]
        for command in commands {
            lines.append("  " + command.spec.usage + "\n      " + command.spec.summary)
        }
        return lines.joined(separator: "\n")
    }

    /// A command's full help: usage, summary, details, arguments, examples.
    static func text(for command: any RuntimeCommand) -> String {
        var lines = [command.spec.usage, command.spec.summary, "", command.help.details]
        let arguments = command.schema.arguments
        if !arguments.isEmpty {
            lines.append("")
            lines.append("arguments:")
            let width = min(20, arguments.map { $0.isPositional ? $0.name.count : $0.name.count + 1 + $0.kind.placeholder.count }.max() ?? 8)
            for argument in arguments {
                let label = argument.isPositional ? argument.name.uppercased() : "\(argument.name)=\(argument.kind.placeholder)"
                var detail = argument.help
                var facts: [String] = []
                if argument.isRequired { facts.append("required") }
                if let value = argument.defaultText { facts.append("default \(value)") }
                facts.append(argument.kind.phrase)
                detail += " (" + facts.joined(separator: "; ") + ")"
                lines.append("  " + label.padding(toLength: max(width, label.count), withPad: " ", startingAt: 0) + "  " + detail)
            }
        }
        if !command.help.examples.isEmpty {
            lines.append("")
            lines.append("example\(command.help.examples.count == 1 ? "" : "s"):")
            lines += command.help.examples.map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    /// Every hyperparameter with its default and meaning.
    static func hyperparameterList() -> String {
        let width = HyperparameterTable.names.map(\.count).max() ?? 8
        var lines = ["hyperparameters (set KEY=VALUE; ?KEY for details):"]
        for spec in HyperparameterTable.all {
            lines.append("  " + spec.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + "default \(spec.defaultValue) · " + spec.meaning)
        }
        return lines.joined(separator: "\n")
    }
}
