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
    /// and lays the schedule out over `plannedSteps` optimizer steps. The run is called `runName`
    /// (default `runN`, N counting the session's runs).
    static func make(session: Session, plannedSteps: Int, runName: String? = nil) throws -> TrainingState {
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
        let seq = h.seq, batch = h.batch
        let renderer = ExampleRenderer(tokenizer: tokenizer, template: loaded.engine?.chatTemplate,
                                       options: RenderOptions(loss: h.trainOn == .all ? .allTokens : .targets, sequenceLength: seq))
        func batches(_ indices: [Int], seed: UInt64) throws -> [TrainingBatch] {
            let rendered = try indices.map { try renderer.render(dataset.examples[$0], file: dataset.path(ofSource: dataset.examples[$0].source)) }
            let builder = BatchBuilder(batchSize: batch, sequenceLength: seq, packing: h.pack, seed: seed,
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

        var model = loaded.model
        let settings = session.method
        let dropout = h.dropout
        let adapter: LoRAAdapter?
        let parameters: TrainableParameters
        if let existing = session.training?.adapter { existing.remove(from: model) }
        // A run starts a new adapter: one put on with `adapter load` comes off first.
        if let loaded = session.loadedAdapter {
            if loaded.model === model { loaded.adapter.remove(from: model) }
            session.loadedAdapter = nil
        }
        var originalLayers = [String: LinearLayer]()
        switch settings.method {
        case .full:
            if !model.quantizedWeights.isEmpty {
                // Every weight trains, so the file's quantized blocks become float32 first; the
                // session's model is the dense copy from now on (generate, show and export see it).
                let dense: LlamaModel
                do { dense = try model.densified() } catch {
                    throw CommandError("NotAvailable", "full fine-tuning needs the weights in float32, and dequantizing failed: \(error)")
                }
                model = Self.replaceModel(in: session, loaded: loaded, with: dense)
            }
            parameters = try FullFineTuning.apply(to: model)
            adapter = nil
        case .lora, .qlora:
            if settings.method == .qlora {
                originalLayers = model.linears
                QuantizedBase.quantizeToNF4(model, doubleQuant: true)
            }
            if settings.method == .lora, settings.base == "bf16", !Self.isBF16(model) {
                let converted: LlamaModel
                do { converted = try model.converted(to: .bf16) } catch {
                    throw CommandError("NotAvailable", "converting the base to bf16 failed: \(error)")
                }
                model = Self.replaceModel(in: session, loaded: loaded, with: converted)
            }
            let targets: LoRATargets = settings.targets.contains("all-linear") ? .allLinear : .modules(settings.targets)
            let configuration = LoRAConfiguration(rank: settings.rank, alpha: settings.alpha, dropout: dropout, targets: targets,
                                                  useRSLoRA: settings.rsLoRA, seed: session.seed)
            let applied = try LoRAApplier.apply(configuration, to: model)
            applied.baseModelName = loaded.engine?.source?.lastPathComponent ?? loaded.name
            adapter = applied
            parameters = applied.parameters
        }
        model.gradientCheckpointing = h.checkpointing
        let lr = h.lr
        let optimizer: Optimizer = switch h.optimizer {
        case .sgd: SGD(learningRate: lr, momentum: 0.9, weightDecay: h.weightDecay)
        case .adamw: AdamW(learningRate: lr, beta1: h.beta1, beta2: h.beta2, weightDecay: h.weightDecay)
        }
        let trainer = Trainer(model: model, parameters: parameters, optimizer: optimizer, schedule: Self.schedule(h, plannedSteps: plannedSteps),
                              maxGradNorm: h.gradClip > 0 ? h.gradClip : nil, accumulationSteps: h.accum)
        let method: FineTuningMethod = switch settings.method { case .full: .full; case .lora: .lora; case .qlora: .qlora }
        let state = TrainingState(methodSummary: settings.summary, adapter: adapter, trainer: trainer, batches: trainBatches,
                                  validation: validationBatches, monitor: TrainingMonitor(method: method, peakLearningRate: lr, parameterCount: model.config.parameterCount,
                                                                                              plannedSteps: plannedSteps),
                                  runName: runName ?? "run\(session.runs.count + 1)", plannedSteps: plannedSteps)
        state.layersBeforeQuantization = originalLayers
        if h.patience > 0 {
            state.earlyStopping = EarlyStopping(patience: h.patience, minimumDelta: h.minDelta)
        }
        return state
    }

    /// The learning-rate schedule of a run of `plannedSteps` optimizer steps: `schedule` from 0 over
    /// `warmup` steps to `lr`, then down to `min_lr` (cosine and linear; constant stays at `lr`).
    static func schedule(_ h: HyperparameterValues, plannedSteps: Int) -> LearningRateSchedule {
        LearningRateSchedule(kind: h.schedule, baseLearningRate: h.lr, warmupSteps: h.warmup.steps(of: plannedSteps),
                             totalSteps: plannedSteps, minimumLearningRate: min(h.minLR, h.lr))
    }

    /// Whether every matrix of `model` is stored in bf16 already.
    static func isBF16(_ model: LlamaModel) -> Bool {
        !model.quantizedWeights.isEmpty && model.quantizedWeights.values.allSatisfy { $0.type == .bf16 }
    }

    /// Makes `replacement` (a dense or re-stored copy of the loaded model) the session's model, with
    /// the same name, tokenizer and template; generate, show and export see it from now on.
    static func replaceModel(in session: Session, loaded: SessionModel, with replacement: LlamaModel) -> LlamaModel {
        let engine = loaded.engine.map {
            Models.LoadedModel(name: $0.name, model: replacement, tokenizer: $0.tokenizer, chatTemplate: $0.chatTemplate, source: $0.source)
        }
        session.model = SessionModel(name: loaded.name, origin: loaded.origin, model: replacement, tokenizer: loaded.tokenizer,
                                     tokenizerSummary: loaded.tokenizerSummary, engine: engine)
        return replacement
    }

    /// Mean loss over the validation batches (no gradient, adapter dropout off).
    func validationLoss() -> Double? {
        guard !validation.isEmpty else { return nil }
        adapter?.setTraining(false)
        defer { adapter?.setTraining(true) }
        var total = 0.0, count = 0
        for batch in validation {
            let (loss, valid) = trainer.model.trainingLoss(tokens: batch.tokens, labels: batch.labels, batch: batch.batch, packing: batch.packing,
                                                                 tape: Tape(recording: false))
            guard valid > 0 else { continue }
            total += Double(loss[flat: 0]) * Double(valid)
            count += valid
        }
        return count > 0 ? total / Double(count) : nil
    }
}
