import CKernels
import Foundation
import TensorCore
import XCTest

/// Float SwiGLU runs in CKernels (activation.c): its forward and backward give the bits of the
/// scalar definition (σ from CKernels' exponential, then ActivationKernels.swift's arithmetic in its
/// order) on every path this CPU runs, with tails of every vector width, saturated and exact-zero
/// gates, and accumulation into existing gradients; and they stay within float rounding of the
/// exact values.
final class SwiGLUKernelTests: XCTestCase {
    override func tearDown() { attune_kernel_force_path(-1) }

    /// Gates over many binades and both saturations (e^−g overflows to +inf below ≈ −88.7, and
    /// underflows to 0 above ≈ 103), exact zeros of both signs.
    private func values(_ count: Int, seed: UInt64, spread: Int) -> [Float] {
        var state = seed
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 11 }
        return (0..<count).map { i in
            switch i % 101 {
            case 0: return 0
            case 1: return -0.0
            case 2: return -120
            case 3: return 110
            default:
                let mantissa = Float(Double(next() % (1 << 24)) / Double(1 << 24)) * 2 - 1
                return mantissa * Float(pow(2.0, Double(Int(next() % UInt64(spread)) - spread / 2)))
            }
        }
    }

    /// The definition: `1 / (1 + e^−g)`, left to right, e^−g from CKernels' exponential on the
    /// portable path (every vector path must match it bit for bit: the test below).
    private func sigmoids(_ gates: [Float]) -> [Float] {
        attune_kernel_force_path(Int32(ATTUNE_PATH_PORTABLE))
        defer { attune_kernel_force_path(-1) }
        var e = gates.map { -$0 }
        e.withUnsafeMutableBufferPointer { attune_exp_scale($0.baseAddress!, $0.baseAddress!, $0.count, 0, 1) }
        return e.map { 1 / (1 + $0) }
    }

    private func assertSameBits(_ a: [Float], _ b: [Float], _ what: String, path: Int32, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for i in 0..<a.count where a[i].bitPattern != b[i].bitPattern && !(a[i].isNaN && b[i].isNaN) {
            XCTFail("\(what) path \(path): element \(i) is \(a[i]), the definition gives \(b[i])", file: file, line: line)
            return
        }
    }

    func testForwardAndBackwardAreBitIdenticalToTheScalarDefinitionOnEveryPath() {
        let count = 3 * 4096 + 269  // several pool chunks, several 256-value blocks, odd tails
        let gate = values(count, seed: 1, spread: 16), up = values(count, seed: 2, spread: 10)
        let dy = values(count, seed: 3, spread: 10), dg0 = values(count, seed: 4, spread: 6), du0 = values(count, seed: 5, spread: 6)
        let sigma = sigmoids(gate)
        let expectedY = (0..<count).map { gate[$0] * sigma[$0] * up[$0] }
        let expectedDGate = (0..<count).map { i -> Float in
            let (g, s) = (gate[i], sigma[i])
            return dg0[i] + dy[i] * up[i] * s * (1 + g * (1 - s))
        }
        let expectedDUp = (0..<count).map { du0[$0] + dy[$0] * gate[$0] * sigma[$0] }
        for path in 0...attune_kernel_best_path() {
            attune_kernel_force_path(path)
            var y = [Float](repeating: .nan, count: count)
            ActivationKernel.swigluForward(gate: gate, up: up, &y, count: count)
            assertSameBits(y, expectedY, "forward", path: path)

            var (dg, du) = (dg0, du0)
            dg.withUnsafeMutableBufferPointer { dgb in
                du.withUnsafeMutableBufferPointer { dub in
                    ActivationKernel.swigluBackward(dy: dy, gate: gate, up: up, dgate: dgb.baseAddress!, dup: dub.baseAddress!, count: count)
                }
            }
            assertSameBits(dg, expectedDGate, "dgate", path: path)
            assertSameBits(du, expectedDUp, "dup", path: path)

            // One gradient wanted: the other is neither read nor written.
            var dgOnly = dg0
            dgOnly.withUnsafeMutableBufferPointer {
                ActivationKernel.swigluBackward(dy: dy, gate: gate, up: up, dgate: $0.baseAddress!, dup: nil, count: count)
            }
            assertSameBits(dgOnly, expectedDGate, "dgate alone", path: path)
            var duOnly = du0
            duOnly.withUnsafeMutableBufferPointer {
                ActivationKernel.swigluBackward(dy: dy, gate: gate, up: up, dgate: nil, dup: $0.baseAddress!, count: count)
            }
            assertSameBits(duOnly, expectedDUp, "dup alone", path: path)
        }
    }

    /// Against the exact values (double precision, libm): forward within a few float roundings.
    func testForwardIsWithinFloatRoundingOfTheExactValue() {
        let count = 4099
        let gate = values(count, seed: 7, spread: 8), up = values(count, seed: 8, spread: 4)
        var y = [Float](repeating: 0, count: count)
        ActivationKernel.swigluForward(gate: gate, up: up, &y, count: count)
        for i in 0..<count {
            let (g, u) = (Double(gate[i]), Double(up[i]))
            let exact = g / (1 + Foundation.exp(-g)) * u
            XCTAssertEqual(Double(y[i]), exact, accuracy: 1e-6 * abs(exact) + 1e-37, "gate \(g), up \(u)")
        }
    }

    /// A saturated gate: silu(−120) is −0 · u (σ = 0), silu(110) = 110 · u (σ = 1), and the gate
    /// gradient is dy·u·(1 + g) at σ = 1.
    func testSaturatedGates() {
        var y = [Float](repeating: 0, count: 2)
        ActivationKernel.swigluForward(gate: [-120, 110], up: [2, 3], &y, count: 2)
        XCTAssertEqual(y[0], 0)
        XCTAssertEqual(y[1], 330)
        var dg: [Float] = [0, 0]
        dg.withUnsafeMutableBufferPointer {
            ActivationKernel.swigluBackward(dy: [1, 1], gate: [-120, 110], up: [2, 3], dgate: $0.baseAddress!, dup: nil, count: 2)
        }
        XCTAssertEqual(dg, [0, 3])
    }
}
