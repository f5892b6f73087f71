/// One argument of a command: positional (`smollm2`) or keyed (`lr=2e-4`).
public struct Argument: Sendable, Hashable, CustomStringConvertible {
    /// The key of a `key=value` argument; nil for a positional one.
    public let key: Name?
    public let value: Value
    /// From the key (if any) to the end of the value.
    public let range: SourceRange

    public init(key: Name?, value: Value) {
        self.key = key
        self.value = value
        self.range = key.map { $0.range.union(value.range) } ?? value.range
    }

    public var isPositional: Bool { key == nil }

    public var description: String {
        key.map { "\($0.text)=\(value)" } ?? value.description
    }
}
