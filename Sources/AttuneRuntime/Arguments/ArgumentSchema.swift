import Essentials
import AttuneLanguage

/// The arguments a command takes, and the check that turns a parsed `Command` into
/// `BoundArguments` or a precise error: unknown keys get "did you mean", missing ones an example,
/// values their range.
public struct ArgumentSchema: Sendable, Hashable {
    public let arguments: [ArgumentSpec]
    /// Extra positional values accepted after the declared ones (`plot loss val_loss …`), if any.
    public let rest: ArgumentSpec?
    /// When true the command checks keyed arguments itself (`set`, `sweep`): any key passes here.
    public let opensKeys: Bool

    public init(_ arguments: [ArgumentSpec] = [], rest: ArgumentSpec? = nil, opensKeys: Bool = false) {
        self.arguments = arguments
        self.rest = rest
        self.opensKeys = opensKeys
    }

    /// No arguments at all.
    public static let none = ArgumentSchema()

    public var positional: [ArgumentSpec] { arguments.filter(\.isPositional) }
    public var names: [String] { arguments.map(\.name) }

    public func spec(named name: String) -> ArgumentSpec? { arguments.first { $0.name == name } }

    /// Checks every argument of `command` against the schema.
    public func bind(_ command: Command) throws(CommandError) -> BoundArguments {
        var bound = BoundArguments()
        let positionalSpecs = positional
        var nextPositional = 0
        for argument in command.arguments {
            if let key = argument.key {
                if let spec = spec(named: key.text) {
                    guard bound.values[spec.name] == nil else {
                        throw .invalidValue("\(spec.name) is given twice", at: argument.range)
                    }
                    bound.values[spec.name] = try spec.kind.convert(argument.value, name: spec.name)
                    bound.ranges[spec.name] = argument.range
                } else if opensKeys {
                    bound.extraKeyed.append(argument)
                } else {
                    let guess = suggest(key.text, from: names)
                    let known = names.isEmpty ? "it takes no key=value arguments"
                        : "it takes " + ArgumentKind.sentenceList(names.map { $0 + "=" })
                    let hint = guess.map { " — did you mean '\($0)'?" } ?? "; \(known)"
                    throw .unknownArgument("\(command.name) has no argument '\(key.text.clippedForMessage)'\(hint)", at: key.range, suggestion: guess)
                }
                continue
            }
            // Positional: the next declared positional not already given by key, then `rest`.
            while nextPositional < positionalSpecs.count, bound.values[positionalSpecs[nextPositional].name] != nil {
                nextPositional += 1
            }
            if nextPositional < positionalSpecs.count {
                let spec = positionalSpecs[nextPositional]
                bound.values[spec.name] = try spec.kind.convert(argument.value, name: spec.name)
                bound.ranges[spec.name] = argument.range
                nextPositional += 1
            } else if let rest {
                bound.rest.append(try rest.kind.convert(argument.value, name: rest.name))
                bound.restRanges.append(argument.range)
            } else {
                let expected = positionalSpecs.isEmpty ? "\(command.name) takes no positional arguments"
                    : "\(command.name) takes \(positionalSpecs.count) positional argument\(positionalSpecs.count == 1 ? "" : "s") (\(positionalSpecs.map { $0.name.uppercased() }.joined(separator: " ")))"
                let keyedHint = arguments.contains { !$0.isPositional } ? "; options are written key=value, e.g. \(exampleKeyed)" : ""
                throw .unknownArgument("unexpected argument \(ArgumentKind.shown(argument.value)): \(expected)\(keyedHint)", at: argument.range)
            }
        }
        for spec in arguments where spec.isRequired && bound.values[spec.name] == nil {
            throw .missingArgument("\(command.name) needs \(spec.isPositional ? spec.name.uppercased() : spec.name + "=") (\(spec.kind.phrase)); usage: \(command.spec.usage)",
                                   at: command.range)
        }
        return bound
    }

    private var exampleKeyed: String {
        guard let spec = arguments.first(where: { !$0.isPositional }) else { return "" }
        return "\(spec.name)=\(spec.defaultText.flatMap { $0.contains(" ") ? nil : $0 } ?? spec.kind.placeholder)"
    }
}
