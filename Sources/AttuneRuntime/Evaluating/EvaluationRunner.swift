import Evaluation
import Foundation
import Models

/// Runs an evaluation of the session's model on a set: what `eval` does, and what `compare`
/// does for a side that is the live model (`base`: adapter off, `tuned`: adapter on).
struct EvaluationRunner {
    let context: CommandContext
    let loaded: SessionModel
    let engine: Models.LoadedModel

    /// The runner for the session's model, or an error naming what is missing.
    init(_ context: CommandContext) throws {
        self.context = context
        guard let loaded = context.session.model else { throw CommandError.noModel(context.command.name) }
        guard let engine = loaded.engine else {
            throw CommandError("NotAvailable", "`\(context.command.name)` needs a tokenizer to render prompts; model \(loaded.name) has \(loaded.tokenizerSummary)")
        }
        self.loaded = loaded
        self.engine = engine
    }

    /// `tiny, no adapter` / `tiny with adapter run1 (lora r=4 alpha=8 on q_proj, v_proj (4 modules))`.
    func modelLabel(adapterOn: Bool) -> String {
        let session = context.session
        guard adapterOn, let adapter = session.adapter else { return "\(loaded.name), no adapter" }
        let origin = session.training.map { $0.runName } ?? session.loadedAdapter.map { $0.folder } ?? "adapter"
        return "\(loaded.name) with adapter \(origin) (\(adapter.shortDescription))"
    }

    /// The model state a general-probe result belongs to: its label, and after training the step
    /// the weights stand at (the adapter's, or the whole model's after full fine-tuning), so a
    /// probe taken before more steps is not mistaken for the model after them.
    func probeKey(adapterOn: Bool) -> String {
        let label = modelLabel(adapterOn: adapterOn)
        guard let training = context.session.training, adapterOn || training.adapter == nil else { return label }
        return label + " after step \(training.trainer.step)"
    }

    /// The default most new tokens: the longest expected reply plus a quarter, at least 16 and at
    /// most 256 (checked replies must have room to finish).
    func defaultMaxTokens(_ set: EvaluationSet) -> Int {
        let longest = ModelEvaluator(engine: engine, sequenceLength: nil).longestExpectedTokens(set.examples)
        return min(256, max(16, longest + (longest + 3) / 4))
    }

    /// Evaluates `set` with the adapter on or off. With checks every example is answered (replies
    /// that a first character rules out stop there, except the samples, shown in full); without,
    /// only the samples.
    /// `groupBy` names the record field whose values group the results (`category`).
    func evaluate(_ set: EvaluationSet, adapterOn: Bool, checks: ReplyChecks, maxTokens: Int, samples: Int,
                  measureLoss: Bool, groupBy: String = "category") throws -> EvaluationResult {
        let session = context.session
        let adapter = session.adapter
        let training = session.training?.adapter
        training?.setTraining(false)
        defer { training?.setTraining(true) }
        let model = loaded.model
        let state = probeKey(adapterOn: adapterOn)
        let body = { () throws -> EvaluationResult in
            var result = try run(set, checks: checks, maxTokens: maxTokens, samples: samples, measureLoss: measureLoss,
                                 label: modelLabel(adapterOn: adapterOn), groupBy: groupBy)
            result.modelState = state
            return result
        }
        if !adapterOn, let adapter { return try adapter.withoutAdapter(on: model, body) }
        return try body()
    }

    private func run(_ set: EvaluationSet, checks: ReplyChecks, maxTokens: Int, samples: Int, measureLoss: Bool,
                     label: String, groupBy: String) throws -> EvaluationResult {
        let evaluator = ModelEvaluator(engine: engine, sequenceLength: context.session.hyperparameters.seq)
        var metrics: ModelEvaluator.TokenMetrics?
        if measureLoss {
            do {
                metrics = try evaluator.tokenMetrics(set.examples, file: set.fileName) { index in
                    context.progress("  loss \(index + 1)/\(set.count)")
                }
            } catch {
                throw DataCommands.commandError(error, context: context, at: context.command.range)
            }
        }
        var replies = [String: String]()
        var cut = Set<String>()
        var tooLong = [String]()
        let answered = checks.isEmpty ? min(samples, set.count) : set.count
        for index in 0..<answered where ModelEvaluator.hasPrompt(set.examples[index]) {
            if context.shouldStop { throw CommandError("Stopped", "stopped by Ctrl-C after \(index) of \(answered) replies; nothing was kept") }
            let cutEarly = index >= samples && checks.decidedByFirstCharacter
            let reply: ModelEvaluator.Reply
            do {
                reply = try evaluator.reply(to: set.examples[index], maxTokens: maxTokens,
                                            stopWhen: { cutEarly && !EvaluationText.mayBecomeJSON($0) })
            } catch where "\(error)".contains("the context holds") {
                tooLong.append(set.ids[index])
                replies[set.ids[index]] = ""
                continue
            } catch {
                throw CommandError("InvalidValue", "\(set.ids[index]): \(error)")
            }
            if reply.stoppedEarly { cut.insert(set.ids[index]) }
            replies[set.ids[index]] = reply.text
            context.progress("  reply \(index + 1)/\(answered): \(EvaluationText.clip(reply.text, 60))")
        }
        let expected = set.examples.map(ModelEvaluator.expected)
        let categories = set.values(of: groupBy)
        let tags = set.tags
        var report: EvalReport?
        if !checks.isEmpty {
            let results = set.ids.indices.map { i in
                EvalCase(id: set.ids[i], prompt: ModelEvaluator.shortPrompt(set.examples[i]), checks: checks.checks(id: set.ids[i], expected: expected[i]),
                         tags: tags[i], category: categories[i])
                    .evaluate(reply: replies[set.ids[i]] ?? "")
            }
            report = EvalReport(results: results)
        }
        var result = EvaluationResult(setName: set.count == 1 ? "\(set.name) (1 example)" : "\(set.name) (\(set.count) examples)",
                                modelLabel: label, ids: set.ids,
                                prompts: set.examples.map { ModelEvaluator.shortPrompt($0) },
                                expected: expected, metrics: metrics, checks: checks,
                                replies: replies, report: report, cut: cut, tooLong: tooLong, maxTokens: maxTokens,
                                samples: min(samples, set.count))
        result.categories = categories
        result.tags = tags
        result.groupField = groupBy
        result.fullPrompts = set.examples.map(ReviewItems.prompt)
        return result
    }
}
