import XCTest
@testable import TensorCore

/// `Tape.linearCrossEntropy` with a trainable head: when the tape knows the backward seed in
/// advance (`plannedSeed`, as the trainer sets it), each chunk's backward runs during forward
/// instead of recomputing the logits in backward. It must give the bits of the recomputing path —
/// loss, the head's gradient and the hidden states' gradient — and both must be the gradient of
/// the unchunked cross-entropy.
final class LinearCrossEntropyTests: XCTestCase {
    struct Run { var loss: UInt32; var dw: [UInt32]; var dh: [UInt32]; var dwValues: [Float]; var headGradientInForward: Bool }

    /// 37 rows of 24 into a head of 53 classes; some rows ignored, and one whole chunk of them
    /// (rows 10 ..< 15 at chunkRows 5).
    func problem() -> (hidden: Tensor, weight: Tensor, targets: [Int32]) {
        let (n, c, v) = (37, 24, 53)
        let values = { (count: Int, s: UInt64) in randomDoubles(count, seed: s).map(Float.init) }
        let hidden = try! Tensor(shape: [n, c], values: values(n * c, 1), requiresGrad: true)
        let weight = try! Tensor(shape: [v, c], values: values(v * c, 2), requiresGrad: true)
        let targets: [Int32] = (0..<n).map { i in (10..<15).contains(i) || i % 7 == 3 ? CrossEntropyKernel.ignoreIndex : Int32((i * 13) % v) }
        return (hidden, weight, targets)
    }

    func run(planned: Bool, seed: Float, chunkRows: Int) -> Run {
        let (hidden, weight, targets) = problem()
        let tape = Tape()
        if planned { tape.plannedSeed = seed }
        let (loss, _) = tape.linearCrossEntropy(hidden, targets: targets, chunkRows: chunkRows, projectionIsTrainable: true) { x, tape in
            tape.linear(x, weight)
        }
        let headGradientInForward = weight.grad != nil
        tape.backward(from: loss, seed: seed)
        return Run(loss: loss[flat: 0].bitPattern, dw: (0..<weight.count).map { weight.grad!.pointer[$0].bitPattern },
                   dh: (0..<hidden.count).map { hidden.grad!.pointer[$0].bitPattern },
                   dwValues: (0..<weight.count).map { weight.grad!.pointer[$0] }, headGradientInForward: headGradientInForward)
    }

    func testPlannedSeedGivesTheBitsOfRecomputingInBackward() {
        for seed: Float in [1, 0.25, 1.0 / 3] {
            for chunkRows in [5, 16, 64] {
                let recomputed = run(planned: false, seed: seed, chunkRows: chunkRows)
                let eager = run(planned: true, seed: seed, chunkRows: chunkRows)
                XCTAssertEqual(eager.loss, recomputed.loss, "loss, seed \(seed), chunks of \(chunkRows)")
                XCTAssertEqual(eager.dw, recomputed.dw, "head gradient, seed \(seed), chunks of \(chunkRows)")
                XCTAssertEqual(eager.dh, recomputed.dh, "hidden gradient, seed \(seed), chunks of \(chunkRows)")
                XCTAssertTrue(eager.dwValues.contains { $0 != 0 })
                XCTAssertTrue(eager.headGradientInForward, "the planned seed runs the head's backward in forward")
                XCTAssertFalse(recomputed.headGradientInForward)
            }
        }
    }

    func testChunkedHeadGradientMatchesTheWholeCrossEntropy() {
        let (hidden, weight, targets) = problem()
        let tape = Tape()
        let (loss, _) = tape.crossEntropy(tape.linear(hidden, weight), targets: targets)
        tape.backward(from: loss, seed: 0.25)
        let chunked = run(planned: true, seed: 0.25, chunkRows: 5)
        for i in 0..<weight.count {
            XCTAssertEqual(chunked.dwValues[i], weight.grad!.pointer[i], accuracy: 1e-6, "head gradient [\(i)]")
        }
    }
}
