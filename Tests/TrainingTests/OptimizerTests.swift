import Foundation
import Models
import TensorCore
import XCTest
@testable import Training

final class OptimizerTests: XCTestCase {
    /// Parameters `[p0, p1, …]` with gradients set to `grads`.
    func parameters(_ values: [Float], grads: [Float]) -> TrainableParameters {
        let arena = ParameterArena(shapes: [("w", [values.count])])
        let p = TrainableParameters(arena: arena)
        for i in values.indices { arena["w"]![flat: i] = values[i]; p.gradients.base[i] = grads[i] }
        return p
    }

    func setGrads(_ p: TrainableParameters, _ g: [Float]) { for i in g.indices { p.gradients.base[i] = g[i] } }

    func testSGDMomentumAgainstHandComputedSteps() {
        // lr 0.1, momentum 0.9: b1 = g1, b2 = 0.9·b1 + g2, b3 = 0.9·b2 + g3; p −= lr·b.
        let p = parameters([1, -2], grads: [0.5, 1])
        let sgd = SGD(learningRate: 0.1, momentum: 0.9)
        sgd.step(p)                                      // b = (0.5, 1)        p = (0.95, −2.1)
        XCTAssertEqual(p.snapshot()[0], 0.95, accuracy: 1e-6); XCTAssertEqual(p.snapshot()[1], -2.1, accuracy: 1e-6)
        setGrads(p, [-1, 2]); sgd.step(p)               // b = (−0.55, 2.9)   p = (1.005, −2.39)
        XCTAssertEqual(p.snapshot()[0], 1.005, accuracy: 1e-6); XCTAssertEqual(p.snapshot()[1], -2.39, accuracy: 1e-6)
        setGrads(p, [0, 0]); sgd.step(p)                // b = (−0.495, 2.61) p = (1.0545, −2.651)
        XCTAssertEqual(p.snapshot()[0], 1.0545, accuracy: 1e-6); XCTAssertEqual(p.snapshot()[1], -2.651, accuracy: 1e-6)
        XCTAssertEqual(sgd.momentumBuffer[1], 2.61, accuracy: 1e-6)
    }

    func testSGDNesterovDampeningAndWeightDecay() {
        // Nesterov: d = g + μ·b.  Step 1: b = 1, d = 1.9, p = 1 − 0.19. Step 2 (g = 1): b = 1.9, d = 1 + 1.71.
        let p = parameters([1], grads: [1])
        let sgd = SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
        sgd.step(p)
        XCTAssertEqual(p.snapshot()[0], 0.81, accuracy: 1e-6)
        sgd.step(p)
        XCTAssertEqual(p.snapshot()[0], 0.81 - 0.271, accuracy: 1e-6)
        // Dampening 0.5 applies from the second step; weight decay adds λ·p to the gradient.
        let q = parameters([2], grads: [1])
        let damped = SGD(learningRate: 0.1, momentum: 0.5, dampening: 0.5, weightDecay: 0.1)
        damped.step(q)                                   // d = 1.2, b = 1.2, p = 1.88
        XCTAssertEqual(q.snapshot()[0], 1.88, accuracy: 1e-6)
        damped.step(q)                                   // d = 1.188, b = 0.6 + 0.594 = 1.194, p = 1.88 − 0.1194
        XCTAssertEqual(q.snapshot()[0], 1.7606, accuracy: 1e-6)
        // Plain SGD: no buffer.
        let r = parameters([1], grads: [2])
        let plain = SGD(learningRate: 0.5)
        plain.step(r)
        XCTAssertEqual(r.snapshot(), [0])
        XCTAssertTrue(plain.momentumBuffer.isEmpty)
    }

    func testAdamWAgainstTheFormulaInFloat64() {
        // Two steps on three values, compared with torch's update written out in Double.
        let values: [Float] = [0.5, -1, 2], grads1: [Float] = [0.1, -0.3, 0], grads2: [Float] = [-0.2, 0.05, 1]
        let p = parameters(values, grads: grads1)
        let (lr, b1, b2, eps, wd) = (0.01, 0.9, 0.999, 1e-8, 0.1)
        let adamw = AdamW(learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd)
        adamw.step(p)
        setGrads(p, grads2)
        adamw.step(p)
        for i in 0..<3 {
            var x = Double(values[i]), m = 0.0, v = 0.0
            for (t, g) in [(1.0, Double(grads1[i])), (2.0, Double(grads2[i]))] {
                x *= 1 - lr * wd
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                x -= lr / (1 - pow(b1, t)) * m / (v.squareRoot() / (1 - pow(b2, t)).squareRoot() + eps)
            }
            XCTAssertEqual(Double(p.snapshot()[i]), x, accuracy: 1e-6, "value \(i)")
            XCTAssertEqual(Double(adamw.firstMoment[i]), m, accuracy: 1e-7)
            XCTAssertEqual(Double(adamw.secondMoment[i]), v, accuracy: 1e-9)
        }
        XCTAssertEqual(adamw.stepCount, 2)
        // torch defaults.
        let d = AdamW()
        XCTAssertEqual([d.learningRate, d.beta1, d.beta2, d.epsilon, d.weightDecay], [1e-3, 0.9, 0.999, 1e-8, 0.01])
    }

    func testGradientClippingScalesToMaxNormOnlyWhenAbove() {
        let p = parameters([0, 0, 0], grads: [3, 4, 0])        // norm 5
        let norm = GradientClipping.clip(p, maxNorm: 1)
        XCTAssertEqual(norm, 5, accuracy: 1e-12)
        let coefficient = Float(1 / (5 + 1e-6))
        XCTAssertEqual(Array(UnsafeBufferPointer(start: p.gradients.base, count: 3)), [3 * coefficient, 4 * coefficient, 0])
        XCTAssertEqual(GradientClipping.globalNorm(p), 1, accuracy: 1e-6)
        // Below the limit: untouched.
        let q = parameters([0, 0], grads: [0.3, 0.4])
        XCTAssertEqual(GradientClipping.clip(q, maxNorm: 1), 0.5, accuracy: 1e-7)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: q.gradients.base, count: 2)), [0.3, 0.4])
        // Non-finite: reported, gradients left alone for the caller to skip the step.
        let r = parameters([0, 0], grads: [.nan, 1])
        XCTAssertTrue(GradientClipping.clip(r, maxNorm: 1).isNaN)
        XCTAssertEqual(r.gradients.base[1], 1)
        // A long vector (several chunks) sums like a serial float64 loop.
        let n = 200_000
        let big = parameters([Float](repeating: 0, count: n), grads: (0..<n).map { Float(($0 % 7) - 3) * 0.01 })
        let serial = (0..<n).reduce(0.0) { $0 + pow(Double(Float(($1 % 7) - 3) * 0.01), 2) }.squareRoot()
        XCTAssertEqual(GradientClipping.globalNorm(big), serial, accuracy: 1e-9 * serial)
    }
}
