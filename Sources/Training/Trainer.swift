import Foundation
import Models
import TensorCore

/// The training loop: micro-batches with gradient accumulation, global-norm clipping, a
/// learning-rate schedule and an optimizer over one trainable buffer, reporting through
/// `TrainingEvent`s to a callback that can stop the run at the next step boundary.
///
/// One optimizer step with `A` accumulation steps:
/// ```
/// zero gradients
/// for each of A micro-batches:  L_k = mean CE over its labelled positions;  backward(L_k / A)
/// loss = Σ L_k / A                       (reported)
/// norm = ‖g‖₂, clip to maxGradNorm        (norm reported before clipping)
/// lr   = schedule.lr(at: step);  optimizer step;  step += 1
/// ```
/// A non-finite loss or gradient skips the update (parameters, moments and the schedule position
/// stay as they were); `maxConsecutiveSkips` skips in a row stop the run.
public final class Trainer {
    public let model: LlamaModel
    public let parameters: TrainableParameters
    public let optimizer: Optimizer
    public var schedule: LearningRateSchedule
    /// Clip the global gradient norm to this value; `nil` disables clipping.
    public var maxGradNorm: Double?
    /// Micro-batches per optimizer step.
    public var accumulationSteps: Int
    /// Non-finite steps in a row that end the run.
    public var maxConsecutiveSkips = 3
    /// Optimizer steps taken (the schedule position).
    public private(set) var step = 0
    /// Index of the next micro-batch in the data (wraps around).
    public private(set) var cursor = 0
    /// Reported losses of the steps taken, in order.
    public private(set) var losses: [Double] = []
    /// Wall and CPU time of forward, backward and optimizer, summed over the steps since the
    /// trainer was made or `phaseTimings` was last reset.
    public var phaseTimings = PhaseTimings()

    public init(model: LlamaModel, parameters: TrainableParameters, optimizer: Optimizer, schedule: LearningRateSchedule,
                maxGradNorm: Double? = 1.0, accumulationSteps: Int = 1) {
        precondition(accumulationSteps > 0, "Trainer: accumulation steps must be positive, got \(accumulationSteps)")
        self.model = model
        self.parameters = parameters
        self.optimizer = optimizer
        self.schedule = schedule
        self.maxGradNorm = maxGradNorm
        self.accumulationSteps = accumulationSteps
    }

    /// Runs up to `steps` optimizer steps over `batches` (micro-batches, taken in order from the
    /// cursor, wrapping around). Returns why the run ended.
    @discardableResult
    public func run(steps: Int, batches: [TrainingBatch], onEvent: (TrainingEvent) -> TrainingControl = { _ in .continue }) -> StopReason {
        precondition(!batches.isEmpty, "Trainer.run: no batches")
        model.releaseGenerationCopies()  // generation's copies of the weights: no step reads them
        var consecutiveSkips = 0
        for _ in 0..<steps {
            let started = DispatchTime.now().uptimeNanoseconds
            phaseTimings.measure(\.optimizer) { parameters.zeroGradients() }
            var lossSum = 0.0, tokens = 0
            var finite = true
            for _ in 0..<accumulationSteps {
                let batch = batches[cursor % batches.count]
                cursor += 1
                let tape = Tape()
                tape.plannedSeed = 1 / Float(accumulationSteps)
                let (loss, _) = phaseTimings.measure(\.forward) {
                    model.trainingLoss(tokens: batch.tokens, labels: batch.labels, batch: batch.batch, packing: batch.packing, tape: tape)
                }
                let value = Double(loss[flat: 0])
                tokens += batch.tokenCount
                guard value.isFinite else { finite = false; break }
                lossSum += value
                phaseTimings.measure(\.backward) {
                    tape.backward(from: loss, seed: 1 / Float(accumulationSteps))
                    tape.reset()
                }
                TensorStorage.endPoolGeneration()
            }
            let norm = finite ? phaseTimings.measure(\.optimizer) { GradientClipping.globalNorm(parameters) } : .nan
            if !finite || !norm.isFinite {
                parameters.zeroGradients()
                consecutiveSkips += 1
                let reason = finite ? "gradient norm is \(norm)" : "loss is not finite"
                if onEvent(.skipped(index: step, reason: reason)) == .stop { return finish(.requested, onEvent) }
                if consecutiveSkips >= maxConsecutiveSkips { return finish(.nonFinite(consecutive: consecutiveSkips), onEvent) }
                continue
            }
            consecutiveSkips = 0
            let lr = schedule.lr(at: step)
            phaseTimings.measure(\.optimizer) {
                if let maxGradNorm { GradientClipping.clip(parameters, norm: norm, maxNorm: maxGradNorm) }
                optimizer.learningRate = lr
                optimizer.step(parameters)
            }
            let loss = lossSum / Double(accumulationSteps)
            losses.append(loss)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let event = TrainingEvent.step(index: step, loss: loss, lr: lr, gradNorm: norm, tokensPerSecond: Double(tokens) / max(seconds, 1e-9))
            step += 1
            if onEvent(event) == .stop { return finish(.requested, onEvent) }
        }
        return finish(.finished, onEvent)
    }

    /// Puts the loop back where a checkpoint left it (the schedule position, the data cursor and
    /// the loss history); parameters and optimizer state are restored by `TrainingCheckpoint`.
    public func restoreProgress(step: Int, cursor: Int, losses: [Double]) {
        precondition(step >= 0 && cursor >= 0, "restoreProgress: step \(step) and cursor \(cursor) must be non-negative")
        self.step = step
        self.cursor = cursor
        self.losses = losses
    }

    private func finish(_ reason: StopReason, _ onEvent: (TrainingEvent) -> TrainingControl) -> StopReason {
        _ = onEvent(.stopped(reason))
        return reason
    }
}
