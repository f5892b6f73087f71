import CKernels
import Essentials
import Foundation
import Models
import TensorCore
import XCTest
@testable import Training

/// The vectorised optimizer passes (CKernels' optimizer.c) give the bits of the scalar definitions
/// they replaced, on every path this CPU runs, at lengths that leave tails.
final class OptimizerKernelsTests: XCTestCase {
    override func tearDown() { attune_kernel_force_path(-1) }

    private func paths() -> [Int32] {
        (0...attune_kernel_best_path()).map { Int32($0) }
    }

    /// Values spread over many binades, with exact zeros, so the square roots and divisions see
    /// subnormal-to-large inputs.
    private func values(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { i in
            if i % 97 == 0 { return 0 }
            let mantissa = Float(Double(generator.next() >> 40) / Double(1 << 24)) * 2 - 1
            return mantissa * Float(pow(2.0, Double(Int(generator.next() % 40) - 30)))
        }
    }

    /// AdamW.swift's loop as it stood before the kernel (the definition).
    private func scalarAdamW(p: inout [Float], m: inout [Float], v: inout [Float], g: [Float], _ s: OptimizerKernels.AdamWScalars) {
        for i in 0..<p.count {
            p[i] = p[i] * s.decay
            m[i] = m[i] + s.lerpWeight * (g[i] - m[i])
            v[i] = v[i] * s.beta2 + s.oneMinusBeta2 * g[i] * g[i]
            let denom = v[i].squareRoot() / s.bias2Sqrt + s.epsilon
            p[i] = p[i] + s.negStepSize * m[i] / denom
        }
    }

    func testAdamWUpdateIsBitIdenticalToTheScalarDefinitionOnEveryPath() {
        let count = 3 * 32768 + 1037  // several pool chunks and a tail of every vector width
        let g = values(count, seed: 1), p0 = values(count, seed: 2), m0 = values(count, seed: 3)
        let v0 = values(count, seed: 4).map { $0 * $0 }
        let t = 7.0, lr = 2e-4, beta1 = 0.9, beta2 = 0.999
        let s = OptimizerKernels.AdamWScalars(decay: Float(1 - lr * 0.01), lerpWeight: Float(1 - beta1), beta2: Float(beta2),
                                              oneMinusBeta2: Float(1 - beta2), negStepSize: Float(-(lr / (1 - pow(beta1, t)))),
                                              bias2Sqrt: Float((1 - pow(beta2, t)).squareRoot()), epsilon: 1e-8)
        var (pe, me, ve) = (p0, m0, v0)
        scalarAdamW(p: &pe, m: &me, v: &ve, g: g, s)
        for path in paths() {
            attune_kernel_force_path(path)
            var (p, m, v) = (p0, m0, v0)
            p.withUnsafeMutableBufferPointer { pb in
                m.withUnsafeMutableBufferPointer { mb in
                    v.withUnsafeMutableBufferPointer { vb in
                        OptimizerKernels.adamW(values: pb.baseAddress!, firstMoment: mb.baseAddress!, secondMoment: vb.baseAddress!,
                                               gradients: g, count: count, s)
                    }
                }
            }
            let name = String(cString: attune_kernel_path_name(path))
            XCTAssertEqual(p.map(\.bitPattern), pe.map(\.bitPattern), "parameters on the \(name) path")
            XCTAssertEqual(m.map(\.bitPattern), me.map(\.bitPattern), "first moment on the \(name) path")
            XCTAssertEqual(v.map(\.bitPattern), ve.map(\.bitPattern), "second moment on the \(name) path")
        }
        XCTAssertNotEqual(pe.map(\.bitPattern), p0.map(\.bitPattern), "the step moved the parameters")
    }

    func testSumOfSquaresKeepsOneOrderedChainPerChunk() {
        for (count, chunk) in [(5, 8), (8 * 9, 8), (8 * 9 + 3, 8), (1000, 7), (20 * 1000 + 999, 1000), (5 * 32768 + 77, 32768)] {
            let x = values(count, seed: UInt64(count))
            let expected: [Double] = stride(from: 0, to: count, by: chunk).map { start in
                var sum = 0.0
                for i in start..<min(count, start + chunk) { let v = Double(x[i]); sum += v * v }
                return sum
            }
            let partial = x.withUnsafeBufferPointer { OptimizerKernels.sumOfSquaresPerChunk($0.baseAddress ?? UnsafePointer(bitPattern: 64)!, count: count, chunkSize: chunk) }
            XCTAssertEqual(partial.map(\.bitPattern), expected.map(\.bitPattern), "\(count) values in chunks of \(chunk)")
        }
        XCTAssertEqual(GradientClipping.globalNorm(UnsafePointer(bitPattern: 64)!, count: 0), 0)
    }

    func testClippingWithTheReportedNormEqualsClippingFromScratch() {
        let count = 70_001
        let g = values(count, seed: 9).map { $0 * 1000 }
        var a = g, b = g
        let norm = a.withUnsafeMutableBufferPointer { GradientClipping.clip($0.baseAddress!, count: count, maxNorm: 1) }
        XCTAssertGreaterThan(norm, 1)
        let reported = b.withUnsafeBufferPointer { GradientClipping.globalNorm($0.baseAddress!, count: count) }
        XCTAssertEqual(reported.bitPattern, norm.bitPattern)
        let parameters = TrainableParameters(arena: ParameterArena(shapes: [("g", [count])]))
        b.withUnsafeBufferPointer { parameters.gradients.base.update(from: $0.baseAddress!, count: count) }
        GradientClipping.clip(parameters, norm: reported, maxNorm: 1)
        XCTAssertEqual((0..<count).map { parameters.gradients.base[$0].bitPattern }, a.map(\.bitPattern))
        let clippedNorm = GradientClipping.globalNorm(parameters)
        XCTAssertEqual(clippedNorm, 1, accuracy: 1e-5)
    }
}
