/// A run of rendered template text and where it came from.
public struct ChatSegment: Sendable, Hashable {
    public var text: String
    /// The message that produced it; nil for text the template adds on its own (a default
    /// system prompt, the generation prompt, the beginning-of-text token).
    public var messageIndex: Int?
    /// The role of the turn it belongs to; nil for the beginning-of-text token.
    public var role: String?
    /// Whether its tokens are training targets (assistant content and its end-of-turn token).
    public var isTrainable: Bool

    public init(text: String, messageIndex: Int?, role: String?, isTrainable: Bool) {
        self.text = text; self.messageIndex = messageIndex; self.role = role; self.isTrainable = isTrainable
    }
}
