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

import Datasets

extension TrainingBatch {
    /// Converts a batch built by `Datasets.BatchBuilder` (next-token targets) to the label layout
    /// the model's loss reads: `labels[t + 1] = targets[t]`, −100 where nothing is trained.
    /// Packed rows (several examples per row) need a block-diagonal attention mask the model does
    /// not apply yet, so they are refused.
    public init(_ batch: TokenBatch) throws {
        guard !batch.segments.contains(where: { $0 > 0 }) else {
            throw TrainingError.invalidConfiguration("packed batches (several examples per row) are not supported by the trainer yet: set pack=false")
        }
        var labels = [Int32](repeating: -100, count: batch.inputs.count)
        for r in 0..<batch.rows {
            for t in 0..<(batch.columns - 1) where batch.targets[r * batch.columns + t] != TokenBatch.ignored {
                labels[r * batch.columns + t + 1] = Int32(batch.targets[r * batch.columns + t])
            }
        }
        self.init(tokens: batch.inputs.map(Int32.init), labels: labels, batch: batch.rows)
    }
}
