/// A word of the source with where it was written: a command word, an argument key, a binding.
public struct Name: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    public let range: SourceRange

    public init(_ text: String, range: SourceRange) {
        self.text = text
        self.range = range
    }

    public var description: String { text }
}
