import Foundation
import Evaluation
import Models
import TensorCore

/// The memory plan `train` prints before a run starts and `estimate` shows for the loaded model:
/// the session's method, adapter, batch and memory savers turned into an `Evaluation`
/// `TrainingSetup` for the model's real shapes and storage, and estimated.
enum TrainingPlan {
    /// The shapes of a loaded model, as the estimator sees them.
    static func shape(of model: LlamaModel, name: String) -> ModelShape {
        let c = model.config
        return ModelShape(name: name, layers: c.layers, hidden: c.hiddenSize, intermediate: c.intermediateSize,
                          heads: c.heads, kvHeads: c.kvHeads, vocab: c.vocabSize, headDim: c.headDim, tiedEmbeddings: c.tieWordEmbeddings)
    }

    /// The session's setup for `method`. `model`, when given, contributes the bytes its weights
    /// really occupy (a GGUF file's blocks); full fine-tuning densifies them, so it counts fp32.
    static func setup(session: Session, method: FineTuningMethod, model: LlamaModel?, checkpointing: Bool? = nil) -> TrainingSetup {
        let h = session.hyperparameters
        let targets: [LoRATarget] = session.method.targets.contains("all-linear")
            ? LoRATarget.allCases : session.method.targets.compactMap(LoRATarget.init(rawValue:))
        var setup = TrainingSetup(method: method, loraRank: session.method.rank, loraTargets: targets, doubleQuantization: true,
                                  gradientCheckpointing: checkpointing ?? h.checkpointing, batch: h.batch, sequence: h.seq, accumulation: h.accum)
        setup.loraDropout = h.dropout > 0
        setup.attentionThreads = Float.gemmRunsConcurrently ? Parallelism.workers : 1
        if method == .lora, session.method.base == "bf16", let model {
            let shapes = model.config.parameterShapes
            setup.baseWeightBytes = shapes.reduce(0.0) { $0 + Double($1.shape.reduce(1, *) * ($1.shape.count == 2 ? 2 : 4)) }
        } else if let model, !model.quantizedWeights.isEmpty {
            setup.baseWeightBytes = Double(model.weightBytes)
        }
        return setup
    }

    /// The session's method in the estimator's terms.
    static func method(_ session: Session) -> FineTuningMethod {
        switch session.method.method { case .full: .full; case .lora: .lora; case .qlora: .qlora }
    }

    /// Two lines: what trains and where the memory goes, before the first step.
    static func lines(session: Session, model: LlamaModel, name: String) -> (lines: [String], estimate: TrainingEstimate) {
        let method = method(session)
        let estimate = Estimator.estimate(shape(of: model, name: name), setup(session: session, method: method, model: model))
        let m = estimate.memory
        let share = 100 * Double(estimate.trainableParameters) / Double(max(estimate.totalParameters, 1))
        var first = "plan: \(NumberText.grouped(estimate.trainableParameters)) of \(NumberText.grouped(estimate.totalParameters)) parameters train"
        first += " (\(String(format: "%.2f", share))%), batch \(estimate.setup.batch) × \(estimate.setup.sequence)"
        if estimate.setup.accumulation > 1 { first += " × \(estimate.setup.accumulation) accumulated" }
        if estimate.setup.gradientCheckpointing { first += ", gradient checkpointing" }
        let second = "  memory ≈ \(NumberText.bytes(Int(m.total))): weights \(NumberText.bytes(Int(m.weights))), gradients \(NumberText.bytes(Int(m.gradients))), "
            + "optimizer \(NumberText.bytes(Int(m.optimizer))), activations \(NumberText.bytes(Int(m.activations))), workspace \(NumberText.bytes(Int(m.workspace)))"
        return ([first, second], estimate)
    }

    /// Seconds per optimizer step predicted from the step's FLOPs and this machine's sgemm speed,
    /// measured now at the model's MLP shape (a fraction of a second), the projections and
    /// attention each at their share of it (`Estimator.timeSeconds`). Machine-dependent, so it is
    /// shown live and never recorded in a notebook.
    static func timeLine(_ estimate: TrainingEstimate) -> String {
        let s = estimate.shape
        let rows = min(estimate.setup.tokensPerMicroBatch, 2048)
        let gflops = GEMMBenchmark.measure(m: rows, k: s.hidden, n: s.intermediate, repeats: 3, warmup: 1).median
        let seconds = Estimator.timeSeconds(estimate, sgemmGFLOPs: gflops)
        return String(format: "  time ≈ %.1f s per step (%.3g TFLOP: projections at %.0f%%, attention at %.0f%% of the %.0f GFLOP/s sgemm measured now)",
                      seconds, estimate.flopsPerStep / 1e12, 100 * Estimator.projectionEfficiency,
                      100 * Estimator.attentionEfficiency, gflops)
    }
}
