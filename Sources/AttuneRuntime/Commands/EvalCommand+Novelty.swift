import Datasets
import Evaluation

extension EvalCommand {
    /// With a novelty calibration in the session, `eval` scores each example's novelty: the result
    /// gets a `novelty …: k of n flagged` line and the value `novelty` (one score per example, in
    /// order) and `novelty_flagged`. Without one, nothing changes.
    static func addNovelty(_ set: EvaluationSet, context: CommandContext) throws {
        guard let calibration = context.session.novelty,
              let index = try? MinHashIndex(signatures: calibration.referenceSignatures) else { return }
        let column = try NoveltyColumn(set, calibration: calibration, index: index, context: context)
        context.result([context.output.result, column.text].compactMap { $0 }.joined(separator: "\n"))
        context.value?.set("novelty", .list(column.scores.map { .number($0) }))
        context.value?.set("novelty_flagged", .number(Double(column.flagged.count)))
    }
}
