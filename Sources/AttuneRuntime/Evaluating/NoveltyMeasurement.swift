import Datasets
import Evaluation
import Foundation
import Models

/// The two measures the novelty score combines, for texts (see `NoveltyCalibration`): the base
/// model's perplexity (the session's adapter taken off while it runs) and the MinHash distance
/// to the nearest reference (training) text. After full fine-tuning there is no separate base:
/// the perplexity is then the tuned model's.
struct NoveltyMeasurement {
    var perplexities: [Double?]
    var distances: [Double]

    /// At most this many tokens of each text go through the model (longer inputs are cut).
    static let maxTokens = 256

    static func measure(_ texts: [String], index: MinHashIndex, context: CommandContext, label: String = "novelty") throws -> NoveltyMeasurement {
        guard let loaded = context.session.model else { throw CommandError.noModel(context.command.name) }
        guard let engine = loaded.engine else {
            throw CommandError("NotAvailable", "`\(context.command.name)` needs a tokenizer to measure perplexity; model \(loaded.name) has \(loaded.tokenizerSummary)")
        }
        let session = context.session
        let training = session.training?.adapter
        training?.setTraining(false)
        defer { training?.setTraining(true) }
        let body = { () throws -> [Double?] in
            var out = [Double?]()
            out.reserveCapacity(texts.count)
            for (i, text) in texts.enumerated() {
                if context.shouldStop { throw CommandError("Stopped", "stopped by Ctrl-C after \(i) of \(texts.count) texts; nothing was kept") }
                out.append(engine.perplexity(of: text, maxTokens: maxTokens))
                context.progress("  \(label) \(i + 1)/\(texts.count)")
            }
            return out
        }
        let perplexities = try session.adapter.map { try $0.withoutAdapter(on: loaded.model, body) } ?? body()
        return NoveltyMeasurement(perplexities: perplexities, distances: texts.map(index.distance(to:)))
    }

    /// Scores under `calibration`, one per text.
    func scores(_ calibration: NoveltyCalibration) -> [Double] {
        zip(perplexities, distances).map { calibration.score(perplexity: $0, distance: $1) }
    }
}
