import Foundation
import Models
import TensorCore

/// Perplexity of a model over token batches: `exp(mean loss)` over every trained position
/// (labels ≠ −100), no gradient recorded. What an export reports to show how much writing the
/// merged weights in 16, 8 or 4 bits changed the model.
public struct Perplexity: Sendable, Equatable {
    /// Mean cross-entropy per counted token (nats).
    public let loss: Double
    /// Counted tokens.
    public let tokens: Int

    public var value: Double { exp(loss) }

    /// Evaluates `model` on `batches`; nil when no position is counted.
    public static func of(_ model: LlamaModel, on batches: [TrainingBatch]) -> Perplexity? {
        var total = 0.0, count = 0
        for batch in batches {
            let (loss, _, valid) = model.loss(tokens: batch.tokens, labels: batch.labels, batch: batch.batch, packing: batch.packing, tape: Tape(recording: false))
            guard valid > 0 else { continue }
            total += Double(loss[flat: 0]) * Double(valid)
            count += valid
        }
        return count > 0 ? Perplexity(loss: total / Double(count), tokens: count) : nil
    }

    /// The first `rows` rows of `batches`, one row per batch.
    public static func firstRows(_ batches: [TrainingBatch], _ rows: Int) -> [TrainingBatch] {
        var out = [TrainingBatch]()
        for batch in batches {
            for r in 0..<batch.batch where out.count < rows { out.append(batch.row(r)) }
        }
        return out
    }
}

