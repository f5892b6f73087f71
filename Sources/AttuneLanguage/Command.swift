/// A command with its arguments: `model load smollm2`, `set lr=2e-4 batch=4`, `train steps=50`.
public struct Command: Sendable, Hashable, CustomStringConvertible {
    /// The command words as written: one (`train`) or noun and verb (`model`, `load`).
    /// `?lr` is read as `help lr`, with the `?` as its word.
    public let words: [Name]
    /// The table entry this command matched.
    public let spec: CommandSpec
    public let arguments: [Argument]

    public init(words: [Name], spec: CommandSpec, arguments: [Argument]) {
        self.words = words
        self.spec = spec
        self.arguments = arguments
    }

    /// The canonical command name: `model load`, `train`, `help`.
    public var name: String { spec.name }

    /// The arguments without keys, in order.
    public var positional: [Value] {
        arguments.filter(\.isPositional).map(\.value)
    }

    /// The `key=value` arguments, in order.
    public var keyed: [Argument] {
        arguments.filter { !$0.isPositional }
    }

    /// The value given for `key`, if any.
    public func value(for key: String) -> Value? {
        arguments.first { $0.key?.text == key }?.value
    }

    /// From the first word to the last argument.
    public var range: SourceRange {
        var range = words[0].range
        for word in words { range = range.union(word.range) }
        for argument in arguments { range = range.union(argument.range) }
        return range
    }

    public var description: String {
        ([name] + arguments.map(\.description)).joined(separator: " ")
    }
}
