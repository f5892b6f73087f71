import Datasets
import Evaluation
import Foundation
import Models
import TensorCore
import Training

/// What `train` keeps between calls so a second `train steps=20` continues the first: the method
/// applied to the model, the optimizer and trainer (schedule position, data cursor), the batches,
/// and the warning-sign monitor (the metrics of every step go to `Session.metrics`).
public final class TrainingState {
    /// `lora r=16 …` as applied.
    public let methodSummary: String
    public let adapter: LoRAAdapter?
    public let trainer: Trainer
    public let batches: [TrainingBatch]
    public let validation: [TrainingBatch]
    public var monitor: TrainingMonitor
    /// The run's name in `history` and in metrics records.
    public let runName: String
    /// Total optimizer steps the schedule was laid out for.
    public let plannedSteps: Int
    /// The projections QLoRA replaced with NF4 layers, put back when the run ends so the model is
    /// as loaded (not its 4-bit approximation) for generate, export and the next method.
    var layersBeforeQuantization: [String: LinearLayer] = [:]
    /// Early stopping on validation loss (`set patience=N`), nil when off. Kept across `train`
    /// calls of the run, like the optimizer.
    public var earlyStopping: EarlyStopping?
    /// The trainable values at the best validation loss so far (what early stopping restores).
    public var bestValues: [Float]?

    init(methodSummary: String, adapter: LoRAAdapter?, trainer: Trainer, batches: [TrainingBatch], validation: [TrainingBatch],
         monitor: TrainingMonitor, runName: String, plannedSteps: Int) {
        self.methodSummary = methodSummary
        self.adapter = adapter
        self.trainer = trainer
        self.batches = batches
        self.validation = validation
        self.monitor = monitor
        self.runName = runName
        self.plannedSteps = plannedSteps
    }
}
