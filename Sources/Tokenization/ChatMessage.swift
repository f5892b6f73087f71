/// One turn of a conversation.
public struct ChatMessage: Sendable, Hashable {
    /// `system`, `user` or `assistant` (templates may accept others).
    public var role: String
    public var content: String
    /// Loss weight of an assistant turn; `0` excludes it from training, nil means 1.
    public var weight: Double?

    public init(role: String, content: String, weight: Double? = nil) {
        self.role = role; self.content = content; self.weight = weight
    }

    /// Whether this message's content (and its end-of-turn token) is a training target.
    public var isTrainingTarget: Bool { role == "assistant" && (weight ?? 1) != 0 }
}
