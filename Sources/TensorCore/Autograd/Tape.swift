/// Reverse-mode automatic differentiation by a tape of backward steps.
///
/// Every recorded operation appends a closure that reads its output's gradient and accumulates
/// into its inputs' gradients, using the kernel's backward half. `backward(from:)` seeds the
/// loss's gradient with 1 and runs the closures in reverse. Inputs that do not `requiresGrad`
/// (frozen weights, token ids) never get a gradient buffer; an operation none of whose inputs
/// requires a gradient is not recorded at all (inference records nothing).
///
/// Backward consumes the tape: once a step has run, its output's gradient and the activations
/// only that step held are released, so memory falls as backward proceeds instead of peaking
/// with every activation and every activation gradient alive at once. Leaves (parameters and
/// inputs created outside the tape) keep their gradients.
public final class Tape {
    private struct Step {
        /// The operation's output, kept alive until its step has run.
        let output: Tensor
        let run: () -> Void
        /// Leaves `output.grad` alive after the step: another step that produced `output` (one
        /// updated in place, `addLinear`) reads it later.
        let keepsGradient: Bool
    }
    private var steps: [Step] = []
    /// When false, operations compute forward values only.
    public var isRecording: Bool
    /// Every row of the inputs is a different sequence's step (batched decoding): layers must
    /// give each row the bits it gets in a batch of one, so a quantized projection keeps its
    /// per-row integer path at any row count (`QuantizedLinear.rowwiseLimit`).
    public var independentRows = false
    /// Generation's prefill (`nextTokenLogits`): a quantized projection over more rows than its
    /// row-by-row limit multiplies 16-bit activations with its weight's integer codes
    /// (`Int16WeightPanels`) instead of float32 — the decoding dots' error (1.5e-5 of a block's
    /// largest activation), not their bits. Evaluation and training never set it.
    public var integerPrefill = false
    /// The seed `backward(from:seed:)` will be called with, when the caller knows it before the
    /// forward pass (the trainer: `1 / accumulation steps`). An operation whose backward needs
    /// nothing but the seed may then run it during forward instead of keeping or recomputing what
    /// it would need (`linearCrossEntropy` with a trainable head). `backward` checks the promise.
    public var plannedSeed: Float?

    public init(recording: Bool = true) { isRecording = recording }

    /// Number of recorded backward steps.
    public var count: Int { steps.count }

    /// Whether an operation over `inputs` must be recorded.
    @inlinable
    public func needsGrad(_ inputs: Tensor...) -> Bool {
        isRecording && inputs.contains { $0.requiresGrad }
    }

    /// Appends a backward step and marks `output` as requiring a gradient. Operations defined
    /// outside TensorCore (a quantized linear layer, say) use this to join the tape: the step
    /// reads `output.grad` and accumulates into its inputs' `ensureGrad()` buffers.
    /// `keepsGradient` leaves `output.grad` in place after the step, for an operation that
    /// updated an earlier operation's output in place (whose own step runs later and releases it).
    public func record(_ output: Tensor, keepsGradient: Bool = false, _ step: @escaping () -> Void) {
        output.requiresGrad = true
        steps.append(Step(output: output, run: step, keepsGradient: keepsGradient))
    }

    /// Seeds `d loss / d loss = 1` (times `seed`) and runs every step in reverse order.
    /// Gradients accumulate: zero them between steps (`zeroGrad`) unless accumulating on purpose.
    /// The tape is empty afterwards.
    public func backward(from loss: Tensor, seed: Float = 1) {
        precondition(loss.count == 1, "backward needs a scalar loss, got shape \(loss.shape)")
        precondition(plannedSeed.map { $0.bitPattern == seed.bitPattern } ?? true,
                     "backward: seed \(seed) differs from the planned seed \(plannedSeed ?? 0) that forward already used")
        loss.ensureGrad().pointer[0] += seed
        runSteps()
    }

    /// Backward from a non-scalar `output` whose upstream gradient is `gradient` (same shape):
    /// the vector-Jacobian product that gradient checkpointing needs. The tape is empty afterwards.
    public func backward(from output: Tensor, gradient: Tensor) {
        precondition(output.shape == gradient.shape, "backward: gradient \(gradient.shape) does not match output \(output.shape)")
        let g = output.ensureGrad()
        withExtendedLifetime(gradient) {
            ElementwiseKernel.addBackward(gradient.pointer, da: g.pointer, db: nil, count: g.count, bCount: g.count)
        }
        runSteps()
    }

    private func runSteps() {
        while let step = steps.popLast() {
            step.run()
            if !step.keepsGradient { step.output.grad = nil }
        }
    }

    /// Forgets every recorded step (releasing the activations they hold).
    public func reset() { steps.removeAll(keepingCapacity: true) }
}
