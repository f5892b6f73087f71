import TensorCore

/// One micro-batch of pre-tokenized rows: `batch` rows of `tokens.count / batch` ids and the
/// labels the loss reads (−100 = not trained on; logits at `t` predict `labels[t + 1]`). Packed
/// rows (several examples per row) carry their segments in `packing`: attention stays within each
/// example and positions restart at each, so the loss is the one of the examples in rows of their own.
public struct TrainingBatch: Sendable, Equatable {
    public let tokens: [Int32]
    public let labels: [Int32]
    public let batch: Int
    /// The examples of each row when rows are packed; nil for one sequence per row.
    public let packing: PackedSequences?

    public init(tokens: [Int32], labels: [Int32], batch: Int, packing: PackedSequences? = nil) {
        precondition(batch > 0 && tokens.count % batch == 0 && labels.count == tokens.count,
                     "TrainingBatch: \(tokens.count) tokens and \(labels.count) labels do not form \(batch) equal rows")
        precondition(packing == nil || (packing!.rows == batch && packing!.rows * packing!.tokens == tokens.count),
                     "TrainingBatch: packing of \(packing?.rows ?? 0) × \(packing?.tokens ?? 0) does not fit \(batch) rows of \(tokens.count / batch)")
        self.tokens = tokens
        self.labels = labels
        self.batch = batch
        self.packing = packing
    }

    /// Rows × length.
    public var tokenCount: Int { tokens.count }

    /// Row `r` as a batch of one row (with its packing).
    public func row(_ r: Int) -> TrainingBatch {
        precondition(r >= 0 && r < batch, "TrainingBatch: row \(r) of \(batch)")
        let t = tokens.count / batch
        return TrainingBatch(tokens: Array(tokens[(r * t)..<((r + 1) * t)]), labels: Array(labels[(r * t)..<((r + 1) * t)]),
                             batch: 1, packing: packing?.row(r))
    }
}

import Datasets

extension TrainingBatch {
    /// Converts a batch built by `Datasets.BatchBuilder` (next-token targets) to the label layout
    /// the model's loss reads: `labels[t + 1] = targets[t]`, −100 where nothing is trained. Rows
    /// holding several examples (segment ids above 0) keep their segments as `packing`; the
    /// builder ignores the target that would cross into the next example.
    public init(_ batch: TokenBatch) {
        var labels = [Int32](repeating: -100, count: batch.inputs.count)
        for r in 0..<batch.rows {
            for t in 0..<(batch.columns - 1) where batch.targets[r * batch.columns + t] != TokenBatch.ignored {
                labels[r * batch.columns + t + 1] = Int32(batch.targets[r * batch.columns + t])
            }
        }
        let packed = batch.segments.contains { $0 > 0 }
        self.init(tokens: batch.inputs.map(Int32.init), labels: labels, batch: batch.rows,
                  packing: packed ? PackedSequences(segmentIDs: batch.segments, rows: batch.rows) : nil)
    }
}
