import Datasets
import Evaluation
import Foundation
import Models
import TensorCore
import Tokenization
import Training

extension TrainingState {
    /// Builds the training state for the session's model, data, method and hyperparameters:
    /// applies the method to the model, renders and batches the training split (validation too),
    /// and lays the schedule out over `plannedSteps` optimizer steps.
    static func make(session: Session, plannedSteps: Int) throws -> TrainingState {
        guard let loaded = session.model else {
            throw CommandError.noModel("train")
        }
        guard let tokenizer = loaded.tokenizer else {
            throw CommandError("NotAvailable", "`train` needs a tokenizer to render the data; model \(loaded.name) has \(loaded.tokenizerSummary)")
        }
        guard let dataset = session.dataset else {
            throw CommandError("NoData", "`train` needs data: load it first, e.g. data load \"data/support.jsonl\"")
        }
        let h = session.hyperparameters
        let seq = h.integer("seq") ?? 256, batch = h.integer("batch") ?? 4
        let renderer = ExampleRenderer(tokenizer: tokenizer, template: loaded.engine?.chatTemplate,
                                       options: RenderOptions(loss: h.word("train_on") == "all" ? .allTokens : .targets, sequenceLength: seq))
        func batches(_ indices: [Int], seed: UInt64) throws -> [TrainingBatch] {
            let rendered = try indices.map { try renderer.render(dataset.examples[$0], file: dataset.path) }
            let builder = BatchBuilder(batchSize: batch, sequenceLength: seq, packing: false, seed: seed,
                                       padID: tokenizer.specialTokens.pad ?? tokenizer.specialTokens.eos ?? 0)
            return try builder.batches(rendered).map(TrainingBatch.init)
        }
        let trainIndices = session.split?.train ?? Array(dataset.examples.indices)
        guard !trainIndices.isEmpty else { throw CommandError("NoData", "the training split is empty: split with a larger train share") }
        let trainBatches = try batches(trainIndices, seed: session.seed)
        let targets = trainBatches.reduce(0) { $0 + $1.labels.filter { $0 != -100 }.count }
        guard targets > 0 else {
            throw CommandError("NoTargets", "no training example keeps a trained token within seq=\(seq) (prompts fill the whole window): raise seq, or see `data check` for the length distribution")
        }
        let validationBatches = try batches(session.split?.validation ?? [], seed: session.seed)

        let model = loaded.model
        let settings = session.method
        let dropout = h.number("dropout") ?? 0
        let adapter: LoRAAdapter?
        let parameters: TrainableParameters
        if let existing = session.training?.adapter { existing.remove(from: model) }
        // A run starts a new adapter: one put on with `adapter load` comes off first.
        if let loaded = session.loadedAdapter {
            if loaded.model === model { loaded.adapter.remove(from: model) }
            session.loadedAdapter = nil
        }
        switch settings.method {
        case .full:
            guard model.quantizedWeights.isEmpty else {
                throw CommandError("NotAvailable", "full fine-tuning of a quantized model needs its weights in float32 first; load a float32 model or use method lora")
            }
            parameters = try FullFineTuning.apply(to: model)
            adapter = nil
        case .lora, .qlora:
            if settings.method == .qlora { QuantizedBase.quantizeToNF4(model, doubleQuant: true) }
            let targets: LoRATargets = settings.targets.contains("all-linear") ? .allLinear : .modules(settings.targets)
            let configuration = LoRAConfiguration(rank: settings.rank, alpha: settings.alpha, dropout: dropout, targets: targets,
                                                  useRSLoRA: settings.rsLoRA, seed: session.seed)
            let applied = try LoRAApplier.apply(configuration, to: model)
            applied.baseModelName = loaded.engine?.source?.lastPathComponent ?? loaded.name
            adapter = applied
            parameters = applied.parameters
        }
        let lr = h.number("lr") ?? 2e-4
        let optimizer: Optimizer = h.word("optimizer") == "sgd"
            ? SGD(learningRate: lr, momentum: 0.9, weightDecay: h.number("weight_decay") ?? 0)
            : AdamW(learningRate: lr, beta1: h.number("beta1") ?? 0.9, beta2: h.number("beta2") ?? 0.999, weightDecay: h.number("weight_decay") ?? 0)
        let warmup: Int
        switch h["warmup"] {
        case .fraction(let share): warmup = Int((share * Double(plannedSteps)).rounded())
        case .integer(let steps): warmup = steps
        default: warmup = 0
        }
        let kind: LearningRateSchedule.Kind = switch h.word("schedule") { case "linear": .linear; case "constant": .constant; default: .cosine }
        let clip = h.number("grad_clip") ?? 1
        let trainer = Trainer(model: model, parameters: parameters, optimizer: optimizer,
                              schedule: LearningRateSchedule(kind: kind, baseLearningRate: lr, warmupSteps: warmup, totalSteps: plannedSteps),
                              maxGradNorm: clip > 0 ? clip : nil, accumulationSteps: h.integer("accum") ?? 1)
        let method: FineTuningMethod = switch settings.method { case .full: .full; case .lora: .lora; case .qlora: .qlora }
        return TrainingState(methodSummary: settings.summary, adapter: adapter, trainer: trainer, batches: trainBatches,
                             validation: validationBatches, monitor: TrainingMonitor(method: method),
                             runName: "run\(session.runs.count + 1)", plannedSteps: plannedSteps)
    }

    /// Mean loss over the validation batches (no gradient, adapter dropout off).
    func validationLoss() -> Double? {
        guard !validation.isEmpty else { return nil }
        adapter?.setTraining(false)
        defer { adapter?.setTraining(true) }
        var total = 0.0, count = 0
        for batch in validation {
            let (loss, _, valid) = trainer.model.loss(tokens: batch.tokens, labels: batch.labels, batch: batch.batch, tape: Tape(recording: false))
            guard valid > 0 else { continue }
            total += Double(loss[flat: 0]) * Double(valid)
            count += valid
        }
        return count > 0 ? total / Double(count) : nil
    }
}
