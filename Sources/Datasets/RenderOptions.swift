import Tokenization

/// Which tokens of an example are training targets.
public enum LossScope: String, Sendable, Hashable, Codable, CaseIterable {
    /// Assistant turns (with their end-of-turn token), `output`, `completion`, or all of `text`
    /// (the guide's default). Assistant turns with `weight: 0` are excluded.
    case targets
    /// Every token (continued pre-training style); the first token is never predicted.
    case allTokens = "all"
    /// Only the last assistant turn of a conversation (other formats as `targets`).
    case lastTurn = "last"
}

/// How examples become token sequences for training.
public struct RenderOptions: Sendable, Hashable {
    public var loss: LossScope
    /// Tokens kept per example (longer renderings are cut at the end); nil keeps everything.
    public var sequenceLength: Int?
    /// Render instruction data through the chat template (as a user turn and an assistant
    /// turn) when there is one; otherwise, or when false, use the plain prompt layout.
    public var instructionThroughTemplate: Bool

    public init(loss: LossScope = .targets, sequenceLength: Int? = nil, instructionThroughTemplate: Bool = true) {
        self.loss = loss; self.sequenceLength = sequenceLength; self.instructionThroughTemplate = instructionThroughTemplate
    }
}

/// One example as token ids with a per-token training mask.
public struct RenderedExample: Sendable, Hashable {
    /// Source line of the example.
    public var line: Int
    /// Token ids, truncated to the sequence length.
    public var ids: [Int]
    /// For each token: whether the model is trained to produce it (the loss at the position
    /// before it counts).
    public var trainable: [Bool]
    /// Length before truncation.
    public var fullLength: Int
    /// Trained turns (or outputs) that truncation cut before their end-of-turn token: the model
    /// would learn to answer but not to stop.
    public var turnsMissingEnd: Int

    public init(line: Int, ids: [Int], trainable: [Bool], fullLength: Int, turnsMissingEnd: Int = 0) {
        self.line = line; self.ids = ids; self.trainable = trainable; self.fullLength = fullLength
        self.turnsMissingEnd = turnsMissingEnd
    }

    public var count: Int { ids.count }
    public var isTruncated: Bool { fullLength > ids.count }
    /// Tokens the loss is computed on.
    public var trainableCount: Int { trainable.reduce(0) { $0 + ($1 ? 1 : 0) } }
}
