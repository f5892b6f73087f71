/// One micro-batch of pre-tokenized rows: `batch` rows of `tokens.count / batch` ids and the
/// labels the loss reads (−100 = not trained on; logits at `t` predict `labels[t + 1]`).
public struct TrainingBatch: Sendable, Equatable {
    public let tokens: [Int32]
    public let labels: [Int32]
    public let batch: Int

    public init(tokens: [Int32], labels: [Int32], batch: Int) {
        precondition(batch > 0 && tokens.count % batch == 0 && labels.count == tokens.count,
                     "TrainingBatch: \(tokens.count) tokens and \(labels.count) labels do not form \(batch) equal rows")
        self.tokens = tokens
        self.labels = labels
        self.batch = batch
    }

    /// Rows × length.
    public var tokenCount: Int { tokens.count }
}
