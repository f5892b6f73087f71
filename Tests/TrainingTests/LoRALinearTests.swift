import Models
import TensorCore
import XCTest
@testable import Training

final class LoRALinearTests: XCTestCase {
    /// A small layer with every tensor random: base W [5, 6], A [3, 6], B [5, 3], s = 1.5.
    func makeLayer(seed: UInt64 = 1) -> (LoRALinear, DenseLinear) {
        var rng = RandomGenerator(seed: seed)
        let w = Tensor(shape: [5, 6]) { _ in rng.uniform(-1, 1) }
        let base = DenseLinear(weight: w)
        let a = Tensor(shape: [3, 6], requiresGrad: true) { _ in rng.uniform(-1, 1) }
        let b = Tensor(shape: [5, 3], requiresGrad: true) { _ in rng.uniform(-1, 1) }
        return (LoRALinear(base: base, a: a, b: b, scale: 1.5), base)
    }

    func testForwardIsBasePlusScaledLowRankUpdate() throws {
        let (layer, base) = makeLayer()
        var rng = RandomGenerator(seed: 9)
        let x = Tensor(shape: [4, 6]) { _ in rng.uniform(-1, 1) }
        let y = layer.forward(x, tape: Tape(recording: false))
        let w = base.weight, a = layer.a, b = layer.b
        for n in 0..<4 {
            for o in 0..<5 {
                var expected = 0.0
                for i in 0..<6 { expected += Double(x[n, i]) * Double(w[o, i]) }
                for r in 0..<3 {
                    var h = 0.0
                    for i in 0..<6 { h += Double(x[n, i]) * Double(a[r, i]) }
                    expected += 1.5 * h * Double(b[o, r])
                }
                XCTAssertEqual(Double(y[n, o]), expected, accuracy: 1e-5)
            }
        }
    }

    /// Central differences of `L = Σ rᵢ yᵢ`. `y` is linear in each of x, A and B separately, so the
    /// differences are exact up to float32 rounding whatever the step.
    func testBackwardMatchesFiniteDifferences() throws {
        let (layer, _) = makeLayer(seed: 2)
        var rng = RandomGenerator(seed: 11)
        let x = Tensor(shape: [4, 6], requiresGrad: true) { _ in rng.uniform(-1, 1) }
        let weights = (0..<20).map { _ in Double(rng.uniform(-1, 1)) }
        func objective() -> Double {
            let y = layer.forward(x, tape: Tape(recording: false))
            return zip(y.values, weights).reduce(0) { $0 + Double($1.0) * $1.1 }
        }
        let tape = Tape()
        let y = layer.forward(x, tape: tape)
        let r = try Tensor(shape: [4, 5], values: weights.map(Float.init))
        tape.backward(from: tape.sum(tape.mul(y, r)))
        XCTAssertNil((layer.base as! DenseLinear).weight.grad, "the base weight is frozen")
        for (tensor, label) in [(x, "x"), (layer.a, "A"), (layer.b, "B")] {
            let analytic = try XCTUnwrap(tensor.grad, label).values
            var numeric = [Float]()
            let h: Float = 0.25
            for j in 0..<tensor.count {
                let original = tensor[flat: j]
                tensor[flat: j] = original + h
                let plus = objective()
                tensor[flat: j] = original - h
                let minus = objective()
                tensor[flat: j] = original
                numeric.append(Float((plus - minus) / (2 * Double(h))))
            }
            let error = relativeError(analytic, numeric)
            XCTAssertLessThanOrEqual(error, 1e-4, "d/d\(label): analytic \(analytic) numeric \(numeric)")
        }
    }

    func testMergedAndRevertedLayers() throws {
        let (layer, base) = makeLayer(seed: 3)
        var rng = RandomGenerator(seed: 5)
        let x = Tensor(shape: [3, 6]) { _ in rng.uniform(-1, 1) }
        let tape = Tape(recording: false)
        let merged = layer.merged()
        XCTAssertEqual(absoluteError(merged.forward(x, tape: tape).values, layer.forward(x, tape: tape).values), 0, accuracy: 1e-5)
        XCTAssertTrue(layer.reverted() === base)
        XCTAssertFalse(merged.weight.storage === base.weight.storage, "merging copies the base weight")
        let delta = layer.deltaWeight()
        for i in 0..<merged.weight.count {
            XCTAssertEqual(merged.weight[flat: i], base.weight[flat: i] + delta[flat: i], accuracy: 1e-6)
        }
    }

    func testDropoutOnlyWhileTrainingAndSeeded() throws {
        func layer(_ seed: UInt64) -> LoRALinear {
            let (l, _) = makeLayer(seed: 4)
            return LoRALinear(base: l.base, a: l.a, b: l.b, scale: 1.5, dropout: 0.5, dropoutGenerator: RandomGenerator(seed: seed))
        }
        let plain = makeLayer(seed: 4).0
        var rng = RandomGenerator(seed: 6)
        let x = Tensor(shape: [8, 6]) { _ in rng.uniform(-1, 1) }
        let tape = Tape(recording: false)
        let reference = plain.forward(x, tape: tape).values
        let l1 = layer(1), l2 = layer(1)
        let y1 = l1.forward(x, tape: tape).values
        XCTAssertEqual(y1, l2.forward(x, tape: tape).values, "same seed, same mask")
        XCTAssertGreaterThan(absoluteError(y1, reference), 1e-3, "dropout changes the update while training")
        l1.isTraining = false
        XCTAssertEqual(l1.forward(x, tape: tape).values, reference, "no dropout in evaluation")
    }

    func testKaimingUniformBound() {
        var rng = RandomGenerator(seed: 1)
        let a = Tensor(zeros: [16, 256])
        LoRALinear.initializeA(a, generator: &rng)
        let bound = 1 / Float(256).squareRoot()
        let values = a.values
        XCTAssertLessThanOrEqual(values.map { abs($0) }.max()!, bound)
        XCTAssertGreaterThan(values.map { abs($0) }.max()!, 0.98 * bound)
        // Uniform on [−b, b]: variance b²/3.
        let variance = values.reduce(0) { $0 + Double($1 * $1) } / Double(values.count)
        XCTAssertEqual(variance, Double(bound * bound) / 3, accuracy: 0.05 * Double(bound * bound) / 3)
    }
}
