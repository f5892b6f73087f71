import Foundation
import ModelFormats
import TensorCore

/// Everything a run needs to continue exactly as if it had never stopped: the trainable values,
/// the optimizer's moments and step count, the schedule position, the data cursor, the loss
/// history and every random generator (LoRA dropout).
///
/// One safetensors file: each trainable tensor under its own name (inspectable with any
/// safetensors reader), `optimizer.*` flat buffers, and a JSON description in the metadata key
/// `attune.checkpoint`. Written atomically (temporary file, fsync, rename).
public struct TrainingCheckpoint: Sendable {
    public struct State: Codable, Sendable, Equatable {
        public var format = "attune-checkpoint/1"
        public var step: Int
        public var cursor: Int
        public var losses: [Double]
        /// `adamw` or `sgd`.
        public var optimizer: String
        public var optimizerSteps: Int
        /// Generator states by LoRA module name.
        public var generators: [String: [UInt64]]
        /// Trainable tensor names in arena order.
        public var names: [String]
        /// The optimizer steps the schedule was laid out for (absent in older files).
        public var plannedSteps: Int?
    }

    public var state: State
    public var values: [String: [Float]]
    public var optimizerBuffers: [String: [Float]]

    static let metadataKey = "attune.checkpoint"

    /// Captures `trainer` (and the dropout generators of `adapter`, when training LoRA).
    public init(trainer: Trainer, adapter: LoRAAdapter? = nil) throws {
        let names = trainer.parameters.tensors.map(\.name)
        var values = [String: [Float]]()
        for t in trainer.parameters.tensors { values[t.name] = t.values }
        var buffers = [String: [Float]]()
        let kind: String, steps: Int
        switch trainer.optimizer {
        case let adam as AdamW:
            (kind, steps) = ("adamw", adam.stepCount)
            buffers["optimizer.exp_avg"] = adam.firstMoment
            buffers["optimizer.exp_avg_sq"] = adam.secondMoment
        case let sgd as SGD:
            (kind, steps) = ("sgd", sgd.stepCount)
            buffers["optimizer.momentum_buffer"] = sgd.momentumBuffer
        default:
            throw TrainingError.invalidConfiguration("checkpoints support AdamW and SGD, not \(type(of: trainer.optimizer))")
        }
        var generators = [String: [UInt64]]()
        for entry in adapter?.layers ?? [] { generators[entry.module] = entry.layer.dropoutGenerator.state }
        state = State(step: trainer.step, cursor: trainer.cursor, losses: trainer.losses, optimizer: kind, optimizerSteps: steps,
                      generators: generators, names: names)
        self.values = values
        optimizerBuffers = buffers
    }

    /// Writes the checkpoint to `url` atomically.
    public func save(to url: URL) throws {
        var items = state.names.map { SafetensorsWriter.Item(name: $0, shape: [values[$0]!.count], values: values[$0]!) }
        for (name, buffer) in optimizerBuffers.sorted(by: { $0.key < $1.key }) where !buffer.isEmpty {
            items.append(.init(name: name, shape: [buffer.count], values: buffer))
        }
        let json = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        try SafetensorsWriter.write(items, metadata: [Self.metadataKey: json], to: url)
    }

    /// Reads a checkpoint written by `save`.
    public static func load(from url: URL) throws -> TrainingCheckpoint {
        let file = try SafetensorsFile(url: url)
        guard let json = file.metadata[metadataKey] else {
            throw ModelFileError(file: url.path, entry: "__metadata__.\(metadataKey)", "not an Attune checkpoint (no checkpoint description)")
        }
        let state: State
        do { state = try JSONDecoder().decode(State.self, from: Data(json.utf8)) } catch {
            throw ModelFileError(file: url.path, entry: metadataKey, "the checkpoint description is malformed: \(error)")
        }
        var values = [String: [Float]]()
        for name in state.names { values[name] = try file.floats(name) }
        var buffers = [String: [Float]]()
        for name in file.names where name.hasPrefix("optimizer.") { buffers[name] = try file.floats(name) }
        return TrainingCheckpoint(state: state, values: values, optimizerBuffers: buffers)
    }

    init(state: State, values: [String: [Float]], optimizerBuffers: [String: [Float]]) {
        self.state = state
        self.values = values
        self.optimizerBuffers = optimizerBuffers
    }

    /// Restores into a trainer set up the same way (same model, method and data), checking that
    /// the trainable tensors and the optimizer match.
    public func restore(into trainer: Trainer, adapter: LoRAAdapter? = nil) throws {
        let tensors = trainer.parameters.tensors
        guard tensors.map(\.name) == state.names else {
            throw TrainingError.invalidConfiguration("the checkpoint trains \(state.names.count) tensors (\(state.names.prefix(2).joined(separator: ", "))…), this session \(tensors.count): set up the same method before resuming")
        }
        for t in tensors {
            let saved = values[t.name]!
            guard saved.count == t.count else {
                throw TrainingError.invalidConfiguration("\(t.name): the checkpoint holds \(saved.count) values, the session's tensor \(t.shape) needs \(t.count)")
            }
        }
        switch (trainer.optimizer, state.optimizer) {
        case (let adam as AdamW, "adamw"):
            adam.restore(stepCount: state.optimizerSteps, firstMoment: optimizerBuffers["optimizer.exp_avg"] ?? [],
                         secondMoment: optimizerBuffers["optimizer.exp_avg_sq"] ?? [])
        case (let sgd as SGD, "sgd"):
            sgd.restore(stepCount: state.optimizerSteps, momentumBuffer: optimizerBuffers["optimizer.momentum_buffer"] ?? [])
        default:
            throw TrainingError.invalidConfiguration("the checkpoint was written with \(state.optimizer); this session uses \(type(of: trainer.optimizer))")
        }
        for t in tensors { values[t.name]!.withUnsafeBufferPointer { t.pointer.update(from: $0.baseAddress!, count: t.count) } }
        for entry in adapter?.layers ?? [] {
            guard let words = state.generators[entry.module] else { continue }
            entry.layer.dropoutGenerator = try RandomGenerator(state: words)
        }
        trainer.restoreProgress(step: state.step, cursor: state.cursor, losses: state.losses)
    }
}
