import Models
import TensorCore

/// What a `sweep` puts back on the model after each run, so every run starts from the same
/// weights and the session ends as it began: the layer object at every module (an adapter wraps
/// a layer, QLoRA swaps in an NF4 copy — both by replacing entries of `model.linears`), each base
/// parameter's trainable flag and gradient view (full fine-tuning makes them trainable, LoRA
/// freezes them), and, when a run may update the base weights (full fine-tuning), their values.
final class ModelSnapshot {
    let model: LlamaModel
    private let linears: [String: LinearLayer]
    private let gradients: [(tensor: Tensor, requiresGrad: Bool, grad: Tensor?)]
    private let values: [Float]?

    /// Captures `model` as it is now; `keepingValues` copies the base weights too (a copy of the
    /// whole model: only when runs update them).
    init(_ model: LlamaModel, keepingValues: Bool) {
        self.model = model
        linears = model.linears
        gradients = model.parameters.tensors.map { ($0, $0.requiresGrad, $0.grad) }
        let storage = model.parameters.storage
        values = keepingValues ? Array(UnsafeBufferPointer(start: storage.base, count: storage.count)) : nil
    }

    /// Puts the captured layers, flags and (when kept) values back.
    func restore() {
        model.linears = linears
        for entry in gradients {
            entry.tensor.requiresGrad = entry.requiresGrad
            entry.tensor.grad = entry.grad
        }
        if let values {
            let storage = model.parameters.storage
            values.withUnsafeBufferPointer { storage.base.update(from: $0.baseAddress!, count: storage.count) }
        }
    }
}
