import AttuneLanguage
import AttuneNotebook
import Evaluation
import Foundation
import Training

/// `train [steps=N | epochs=E]`: runs optimizer steps with the current method, data and
/// hyperparameters, continuing where the previous `train` stopped.
struct TrainCommand: RuntimeCommand {
    let spec = StandardSpec.named("train")
    let schema = ArgumentSchema([
        .keyed("steps", .integer(.closed(1, 10_000_000)), default: "the steps hyperparameter", "optimizer steps to run"),
        .keyed("epochs", .number(NumericRange(lower: 0, lowerInclusive: false, upper: 1000)), default: "the epochs hyperparameter", "passes over the training set"),
    ])
    let help = CommandHelp("""
        Trains with the current method and hyperparameters on the training split (everything when the \
        data is not split), printing a line per logged step (loss, learning rate, gradient norm; tokens/s \
        and ETA live in the terminal) and recording metrics the notebook keeps. The validation loss is \
        measured every eval_every steps and at the end. The monitor names warning signs as they happen. \
        A second train continues the run (same optimizer, schedule and data order); changing model, data \
        or method starts a new run. Ctrl-C stops at the next step boundary and keeps everything consistent.
        """, examples: ["train steps=50", "train epochs=1"])

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        let session = context.session
        if a.has("steps"), a.has("epochs") {
            throw CommandError.invalidValue("give steps= or epochs=, not both", at: context.range(of: "epochs"))
        }
        let h = session.hyperparameters
        let memory = RunMemoryWindow.start()
        var state = session.training
        if state == nil {
            // The schedule spans the run's length: the steps hyperparameter when set (so
            // `set steps=100` then `train steps=10` runs the first tenth), else this call's.
            let planned = h.steps > 0 ? h.steps : try plannedSteps(context, batchesPerEpoch: nil)
            if let loaded = session.model {
                let plan = TrainingPlan.lines(session: session, model: loaded.model, name: loaded.name)
                for line in plan.lines { context.stream(line) }
                if session.liveStream != nil { context.progress(TrainingPlan.timeLine(plan.estimate)) }
            }
            state = try TrainingState.make(session: session, plannedSteps: planned)
            session.training = state
            session.runs.append(RunRecord(name: state!.runName, settings: ["method": state!.methodSummary, "lr": "\(h[.lr])"]))
            if let line = Self.emptyBatchWarning(state!.batches, seq: h.seq) { context.stream(line) }
        }
        guard let state else { return }
        state.trainer.model.gradientCheckpointing = h.checkpointing
        let steps = try plannedSteps(context, batchesPerEpoch: state.batches.count)
        let loop = TrainingLoop(state: state, session: session)
        try loop.checkEarlyStopping()
        let first = state.trainer.step
        let started = Date()
        var keepError: Error?
        var validation: [(step: Int, loss: Double)] = []
        var speeds: [Double] = []
        /// `checkpoint keep`: last (and best, when `val` improves) after each validation.
        func keep(_ val: Double?) {
            guard let kept = session.keptCheckpoints, keepError == nil else { return }
            do { if let line = try kept.update(state, validationLoss: val) { context.stream(line) } } catch { keepError = error }
        }
        let outcome = loop.run(steps: steps, shouldStop: { context.shouldStop }, onRecord: { record, logged in
            if let val = record.valLoss {
                keep(val)
                validation.append((record.step, val))
            }
            if let speed = record.tokensPerSecond { speeds.append(speed) }
            guard logged, let loss = record.loss else { return }
            var line = String(format: "step %d  loss %.4f  lr %.3g  grad %.3f", record.step, loss, record.lr ?? 0, record.gradNorm ?? 0)
            if let val = record.valLoss { line += String(format: "  val %.4f", val) }
            context.stream(line)
            let done = record.step - first
            let elapsed = Date().timeIntervalSince(started)
            let eta = elapsed / Double(done) * Double(steps - done)
            context.progress(String(format: "  %.0f tokens/s · %.1f s elapsed · ETA %.0f s", record.tokensPerSecond ?? 0, elapsed, eta))
            if let json = try? JSONValue.parse(record.jsonLine) { context.metrics(json) }
        }, onWarning: { warning in
            context.stream("\(warning.severity.rawValue) at step \(warning.step): \(warning.message)")
        }, onSkip: { step, reason in
            context.stream("step \(step) skipped: \(reason)")
        }, onEarlyStop: { decision in
            guard case let .stop(bestStep, bestValLoss) = decision, let stopping = state.earlyStopping else { return }
            context.stream(String(format: "early stopping at step %d: no better validation loss in %d passes; the best, %.4f, was at step %d",
                                  state.trainer.step, stopping.evaluationsWithoutImprovement, bestValLoss, bestStep))
        })
        // Notes (a rate outside the guide's range, no evidence yet) stay in the stream; the result ends with real warnings.
        let warnings = outcome.warnings.filter(\.isWarning).map(\.message)
        let reason = outcome.reason
        var summary = "trained \(state.trainer.step - first) step\(state.trainer.step - first == 1 ? "" : "s") (\(state.runName), \(state.methodSummary))"
        // This call's losses (a continued run's earlier steps are not its start).
        let losses = state.trainer.losses.suffix(from: min(first, state.trainer.losses.count))
        if let last = losses.last { summary += String(format: " · loss %.4f", last) }
        if losses.count >= 2, let firstLoss = losses.first { summary += String(format: " (started at %.4f)", firstLoss) }
        let finalVal = state.validationLoss()
        if let val = finalVal {
            summary += String(format: " · val loss %.4f (ppl %.2f)", val, Foundation.exp(val))
        }
        if let best = outcome.restoredBest {
            summary += String(format: " · restored the best weights (step %d, val loss %.4f)", best.step, best.valLoss)
        }
        keep(finalVal)
        if let keepError { context.warn((keepError as? CommandError)?.message ?? "\(keepError)") }
        switch reason {
        case .finished: break
        case .requested where outcome.stoppedEarly: summary += " · stopped early"
        case .requested: summary += " · stopped at a step boundary (Ctrl-C)"
        case .nonFinite(let n): summary += " · stopped: \(n) steps in a row had a non-finite loss or gradient (the last good state is kept)"
        }
        context.result(summary)
        for w in warnings { context.warn(w) }
        let best = validation.min { $0.loss < $1.loss }
        context.returns("train result", [
            ("loss", losses.last.map { .number(Double($0)) } ?? .none),
            ("val_loss", finalVal.map { .number($0) } ?? .none),
            ("best_step", (outcome.restoredBest?.step ?? best?.step).map { .number(Double($0)) } ?? .none),
            ("best_val_loss", (outcome.restoredBest?.valLoss ?? best?.loss).map { .number($0) } ?? .none),
            ("steps", .number(Double(state.trainer.step - first))),
            ("step", .number(Double(state.trainer.step))),
            ("tokens_per_s", speeds.isEmpty ? .none : .number(speeds.reduce(0, +) / Double(speeds.count))),
            ("peak_mb", memory.peakMiB.map { .number($0) } ?? .none),
            ("losses", .list(losses.map { .number(Double($0)) })),
            ("val_losses", .list(validation.map { .number($0.loss) })),
            ("run", .string(state.runName)),
            ("method", .string(state.methodSummary)),
            ("stopped", .bool(reason != .finished)),
        ])
    }

    /// Steps asked for: `steps=`, else `epochs=` × batches per epoch / accumulation, else the
    /// `steps` hyperparameter, else `epochs`.
    /// A warning when some micro-batches hold no trained token (every example in them has its
    /// completion past `seq`, or is all prompt): a step that draws only such batches reports loss 0
    /// although nothing was measured, and AdamW still moves the weights by its momentum and weight
    /// decay. Nil when every batch trains on something.
    static func emptyBatchWarning(_ batches: [TrainingBatch], seq: Int) -> String? {
        let empty = batches.filter { $0.labels.allSatisfy { $0 == -100 } }.count
        guard empty > 0 else { return nil }
        return "warning: \(empty) of \(batches.count) training batches have no trained token within seq=\(seq) (their completions start past it): "
            + "a step that draws only those reports loss 0, measures nothing and still moves the weights by momentum and weight decay; "
            + "raise seq, or drop the long examples (data check shows the lengths)"
    }

    func plannedSteps(_ context: CommandContext, batchesPerEpoch: Int?) throws -> Int {
        let a = context.arguments, h = context.session.hyperparameters
        if let steps = a.integer("steps") { return steps }
        let accumulation = max(1, h.accum)
        let perEpoch = max(1, (batchesPerEpoch ?? estimatedBatches(context)) / accumulation)
        if let epochs = a.number("epochs") { return max(1, Int((epochs * Double(perEpoch)).rounded())) }
        if h.steps > 0 { return h.steps }
        return max(1, Int((h.epochs * Double(perEpoch)).rounded()))
    }

    private func estimatedBatches(_ context: CommandContext) -> Int {
        let session = context.session
        let count = session.split?.train.count ?? session.dataset?.examples.count ?? 1
        let batch = max(1, session.hyperparameters.batch)
        return (count + batch - 1) / batch
    }
}
