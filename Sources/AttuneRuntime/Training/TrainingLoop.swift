import Evaluation
import Foundation
import Training

/// One `train` call, or one run of a `sweep`: runs optimizer steps of a ``TrainingState`` and
/// turns the trainer's events into metrics records (kept in `Session.metrics`), validation passes
/// every `eval_every` steps, warnings of the monitor, and early-stopping decisions. What is
/// printed is the caller's choice, through the callbacks.
///
/// Early stopping (`set patience=N`, optionally `min_delta=`): after each validation pass the
/// run's ``EarlyStopping`` decides; a new best keeps a copy of the trainable values, `patience`
/// passes without improvement stop the run at that step boundary, and at the end the best values
/// are put back (`restore_best=true`, the default) when the last step was not the best.
struct TrainingLoop {
    /// What happened while running.
    struct Outcome {
        /// Why the trainer stopped (`.requested` also when early stopping ended the run).
        var reason: StopReason = .finished
        /// Optimizer steps taken by this call.
        var stepsRun = 0
        /// Warnings the monitor raised, in order.
        var warnings: [TrainingWarning] = []
        /// True when early stopping ended the run (patience exhausted).
        var stoppedEarly = false
        /// The step and validation loss whose weights were put back at the end.
        var restoredBest: (step: Int, valLoss: Double)?
        /// The first step whose loss was not finite or exploded: where the run diverged.
        var divergedAt: Int?
    }

    let state: TrainingState
    let session: Session
    /// Steps between logged records (`log_every`).
    let logEvery: Int
    /// Steps between validation passes (`eval_every`; 0: none during training).
    let evalEvery: Int
    /// Put back the best weights at the end (`restore_best`).
    let restoreBest: Bool

    init(state: TrainingState, session: Session) {
        self.state = state
        self.session = session
        let h = session.hyperparameters
        logEvery = max(1, h.logEvery)
        evalEvery = max(0, h.evalEvery)
        restoreBest = h.restoreBest
    }

    /// Early stopping judges validation passes during training: it needs a validation split and
    /// `eval_every`.
    func checkEarlyStopping() throws(CommandError) {
        guard let stopping = state.earlyStopping else { return }
        if state.validation.isEmpty {
            throw CommandError("NoData", "early stopping (patience=\(stopping.patience)) watches the validation loss: split the data first, e.g. data split train=0.8 val=0.2")
        }
        if evalEvery == 0 {
            throw CommandError("InvalidValue", "early stopping (patience=\(stopping.patience)) needs validation passes during training: set eval_every=N (e.g. eval_every=5)")
        }
    }

    /// Runs up to `steps` optimizer steps. `onRecord` gets every step's record and whether it
    /// is due for logging (`log_every`, and always the last); `onWarning` each new warning;
    /// `onSkip` each skipped (non-finite) step; `onEarlyStop` the stop decision.
    func run(steps: Int, shouldStop: () -> Bool,
             onRecord: (MetricRecord, _ logged: Bool) -> Void,
             onWarning: (TrainingWarning) -> Void = { _ in },
             onSkip: (_ step: Int, _ reason: String) -> Void = { _, _ in },
             onEarlyStop: (EarlyStopping.Decision) -> Void = { _ in }) -> Outcome {
        var outcome = Outcome()
        let first = state.trainer.step
        var ema = ExponentialMovingAverage(beta: 0.9)
        for record in session.metrics.records(of: state.runName) { if let l = record.loss { ema.update(l) } }
        let reason = state.trainer.run(steps: steps, batches: state.batches) { event in
            switch event {
            case let .step(index, loss, lr, gradNorm, tokensPerSecond):
                ema.update(loss)
                let step = index + 1
                var record = MetricRecord(step: step, loss: loss, smoothedLoss: ema.value, lr: lr, gradNorm: gradNorm,
                                          tokensPerSecond: tokensPerSecond)
                var decision: EarlyStopping.Decision?
                if evalEvery > 0, step % evalEvery == 0, let val = state.validationLoss() {
                    record.valLoss = val
                    record.valPerplexity = Foundation.exp(val)
                    decision = judge(step: step, valLoss: val)
                }
                var stop = false
                if case .stop? = decision { stop = true; outcome.stoppedEarly = true }
                session.metrics.append(record, to: state.runName)
                for warning in state.monitor.observe(record) {
                    outcome.warnings.append(warning)
                    if warning.kind == .lossExploding, outcome.divergedAt == nil { outcome.divergedAt = warning.step }
                    onWarning(warning)
                }
                let done = step - first
                onRecord(record, done % logEvery == 0 || done == steps || stop)
                if stop, let decision {
                    onEarlyStop(decision)
                    return .stop
                }
            case let .skipped(index, reason):
                if outcome.divergedAt == nil { outcome.divergedAt = index + 1 }
                onSkip(index + 1, reason)
            case .stopped:
                break
            }
            return shouldStop() ? .stop : .continue
        }
        outcome.reason = reason
        outcome.stepsRun = state.trainer.step - first
        if restoreBest, let stopping = state.earlyStopping, let best = state.bestValues,
           let bestStep = stopping.bestStep, let bestLoss = stopping.bestValLoss, bestStep != state.trainer.step {
            state.trainer.parameters.restore(best)
            outcome.restoredBest = (bestStep, bestLoss)
        }
        return outcome
    }

    /// Feeds one validation loss to early stopping (keeping a copy of the values at a new best).
    private func judge(step: Int, valLoss: Double) -> EarlyStopping.Decision? {
        guard var stopping = state.earlyStopping else { return nil }
        let decision = stopping.observe(step: step, valLoss: valLoss)
        state.earlyStopping = stopping
        if case .improved = decision { state.bestValues = state.trainer.parameters.snapshot() }
        return decision
    }
}
