import XCTest
@testable import TensorCore

/// Embedding, RMSNorm, activations, softmax, cross-entropy and dropout: forward against direct
/// formulas, backward against Float64 central differences.
final class LayerKernelTests: XCTestCase {
    // MARK: embedding
    func testEmbeddingForwardAndScatterGradientWithRepeatedIds() {
        let (v, c) = (5, 3)
        let ids: [Int32] = [4, 0, 4, 2]
        let table = randomDoubles(v * c, seed: 1)
        func forward(_ x: [[Double]]) -> [Double] {
            let t = Buffer(x[0]), y = Buffer(repeating: 0.0, count: ids.count * c), idb = Buffer(ids)
            EmbeddingKernel.forward(ids: idb.pointer, table: t.pointer, y: y.pointer, count: ids.count, vocab: v, width: c)
            return y.array
        }
        XCTAssertEqual(Array(forward([table])[0..<3]), Array(table[12..<15]))
        XCTAssertEqual(Array(forward([table])[3..<6]), Array(table[0..<3]))
        assertGradients([table], forward: forward) { dy, _ in
            let g = Buffer(dy), d = Buffer(repeating: 0.0, count: v * c), idb = Buffer(ids)
            EmbeddingKernel.backward(dy: g.pointer, ids: idb.pointer, dtable: d.pointer, count: ids.count, width: c)
            return [d.array]
        }
    }

    // MARK: RMSNorm
    func rmsForward(_ x: [Double], _ w: [Double], rows: Int, cols: Int) -> [Double] {
        let xb = Buffer(x), wb = Buffer(w), y = Buffer(repeating: 0.0, count: x.count), r = Buffer(repeating: 0.0, count: rows)
        RMSNormKernel.forward(x: xb.pointer, weight: wb.pointer, y: y.pointer, rstd: r.pointer, rows: rows, cols: cols, eps: 1e-5)
        return y.array
    }

    func testRMSNormForwardMatchesFormulaAndGradients() {
        for (rows, cols) in [(1, 1), (3, 7), (130, 5)] {
            let x = randomDoubles(rows * cols, seed: 2, scale: 2), w = randomDoubles(cols, seed: 3)
            var expected = [Double]()
            for n in 0..<rows {
                let row = x[(n * cols)..<((n + 1) * cols)]
                let rms = (row.reduce(0) { $0 + $1 * $1 } / Double(cols) + 1e-5).squareRoot()
                expected += row.enumerated().map { $0.element / rms * w[$0.offset] }
            }
            assertClose(rmsForward(x, w, rows: rows, cols: cols), expected, atol: 1e-12)
            // Width 1 makes dx ≈ ε/(x²+ε)^1.5 ≈ 0: finite differences would compare noise.
            guard rows < 100, cols > 1 else { continue }
            assertGradients([x, w], forward: { self.rmsForward($0[0], $0[1], rows: rows, cols: cols) }) { dy, xs in
                let xb = Buffer(xs[0]), wb = Buffer(xs[1]), y = Buffer(repeating: 0.0, count: xs[0].count), r = Buffer(repeating: 0.0, count: rows)
                RMSNormKernel.forward(x: xb.pointer, weight: wb.pointer, y: y.pointer, rstd: r.pointer, rows: rows, cols: cols, eps: 1e-5)
                let g = Buffer(dy), dx = Buffer(repeating: 0.0, count: xs[0].count), dw = Buffer(repeating: 0.0, count: cols)
                RMSNormKernel.backward(dy: g.pointer, x: xb.pointer, weight: wb.pointer, rstd: r.pointer, dx: dx.pointer, dweight: dw.pointer, rows: rows, cols: cols)
                return [dx.array, dw.array]
            }
        }
    }

    func testRMSNormWeightGradientIsDeterministicAcrossChunks() {
        // 300 rows split over the workers: the weight gradient must not depend on scheduling.
        let (rows, cols) = (300, 16)
        let x = Buffer(randomDoubles(rows * cols, seed: 5).map(Float.init)), w = Buffer([Float](repeating: 1, count: cols))
        let y = Buffer(repeating: Float(0), count: rows * cols), r = Buffer(repeating: Float(0), count: rows)
        RMSNormKernel.forward(x: x.pointer, weight: w.pointer, y: y.pointer, rstd: r.pointer, rows: rows, cols: cols, eps: 1e-5)
        let g = Buffer(randomDoubles(rows * cols, seed: 6).map(Float.init))
        var results = [[Float]]()
        for _ in 0..<5 {
            let dw = Buffer(repeating: Float(0), count: cols)
            RMSNormKernel.backward(dy: g.pointer, x: x.pointer, weight: w.pointer, rstd: r.pointer, dx: nil, dweight: dw.pointer, rows: rows, cols: cols)
            results.append(dw.array)
        }
        XCTAssertTrue(results.allSatisfy { $0 == results[0] })
    }

    // MARK: activations
    func testSiLUAndSwiGLU() {
        let x = randomDoubles(11, seed: 7, scale: 4), u = randomDoubles(11, seed: 8)
        func silu(_ v: Double) -> Double { v / (1 + Foundation.exp(-v)) }
        func siluForward(_ xs: [[Double]]) -> [Double] {
            let xb = Buffer(xs[0]), y = Buffer(repeating: 0.0, count: 11)
            ActivationKernel.siluForward(xb.pointer, y.pointer, count: 11)
            return y.array
        }
        func swigluForward(_ xs: [[Double]]) -> [Double] {
            let g = Buffer(xs[0]), up = Buffer(xs[1]), y = Buffer(repeating: 0.0, count: 11)
            ActivationKernel.swigluForward(gate: g.pointer, up: up.pointer, y.pointer, count: 11)
            return y.array
        }
        assertClose(siluForward([x]), x.map(silu), atol: 1e-14)
        assertClose(swigluForward([x, u]), zip(x, u).map { silu($0) * $1 }, atol: 1e-14)
        assertGradients([x], forward: siluForward) { dy, xs in
            let g = Buffer(dy), xb = Buffer(xs[0]), dx = Buffer(repeating: 0.0, count: 11)
            ActivationKernel.siluBackward(dy: g.pointer, x: xb.pointer, dx: dx.pointer, count: 11)
            return [dx.array]
        }
        assertGradients([x, u], forward: swigluForward) { dy, xs in
            let g = Buffer(dy), gate = Buffer(xs[0]), up = Buffer(xs[1])
            let dg = Buffer(repeating: 0.0, count: 11), du = Buffer(repeating: 0.0, count: 11)
            ActivationKernel.swigluBackward(dy: g.pointer, gate: gate.pointer, up: up.pointer, dgate: dg.pointer, dup: du.pointer, count: 11)
            return [dg.array, du.array]
        }
    }

    // MARK: softmax
    func testSoftmaxForwardAndGradient() {
        let (rows, cols) = (4, 9)
        let x = randomDoubles(rows * cols, seed: 9, scale: 5)
        func forward(_ xs: [[Double]]) -> [Double] {
            let xb = Buffer(xs[0]), y = Buffer(repeating: 0.0, count: rows * cols)
            SoftmaxKernel.forward(xb.pointer, y.pointer, rows: rows, cols: cols)
            return y.array
        }
        let y = forward([x])
        for n in 0..<rows {
            let row = x[(n * cols)..<((n + 1) * cols)]
            let z = row.reduce(0) { $0 + Foundation.exp($1) }
            assertClose(Array(y[(n * cols)..<((n + 1) * cols)]), row.map { Foundation.exp($0) / z }, atol: 1e-14)
        }
        // Large logits stay finite (max subtraction).
        let big = Buffer([1000.0, 1001, 999]), out = Buffer(repeating: 0.0, count: 3)
        SoftmaxKernel.forward(big.pointer, out.pointer, rows: 1, cols: 3)
        XCTAssertTrue(out.array.allSatisfy(\.isFinite))
        assertGradients([x], forward: forward) { dy, xs in
            let yb = Buffer(forward(xs)), g = Buffer(dy), dx = Buffer(repeating: 0.0, count: rows * cols)
            SoftmaxKernel.backward(dy: g.pointer, y: yb.pointer, dx: dx.pointer, rows: rows, cols: cols)
            return [dx.array]
        }
    }

    // MARK: cross-entropy
    func testCrossEntropyIgnoresMinus100AndAveragesOverValidRows() {
        let (rows, v) = (5, 7)
        let logits = randomDoubles(rows * v, seed: 10, scale: 3)
        let targets: [Int32] = [3, -100, 0, 6, -100]
        func forward(_ xs: [[Double]]) -> [Double] {
            let l = Buffer(xs[0]), t = Buffer(targets), lse = Buffer(repeating: 0.0, count: rows)
            return [CrossEntropyKernel.forward(logits: l.pointer, targets: t.pointer, logSumExp: lse.pointer, rows: rows, vocab: v).loss]
        }
        var expected = 0.0
        for (n, t) in targets.enumerated() where t != -100 {
            let row = logits[(n * v)..<((n + 1) * v)]
            expected += Foundation.log(row.reduce(0) { $0 + Foundation.exp($1) }) - row[n * v + Int(t)]
        }
        XCTAssertEqual(forward([logits])[0], expected / 3, accuracy: 1e-12)
        assertGradients([logits], forward: forward) { dy, xs in
            let l = Buffer(xs[0]), t = Buffer(targets), lse = Buffer(repeating: 0.0, count: rows)
            let (_, valid) = CrossEntropyKernel.forward(logits: l.pointer, targets: t.pointer, logSumExp: lse.pointer, rows: rows, vocab: v)
            let d = Buffer(repeating: 0.0, count: rows * v)
            CrossEntropyKernel.backward(dloss: dy[0], logits: l.pointer, targets: t.pointer, logSumExp: lse.pointer, dlogits: d.pointer, rows: rows, vocab: v, valid: valid)
            XCTAssertTrue(d.array[(v)..<(2 * v)].allSatisfy { $0 == 0 }, "ignored row gets no gradient")
            return [d.array]
        }
        // All rows ignored: loss 0, no NaN.
        let l = Buffer(logits), t = Buffer([Int32](repeating: -100, count: rows)), lse = Buffer(repeating: 0.0, count: rows)
        let result = CrossEntropyKernel.forward(logits: l.pointer, targets: t.pointer, logSumExp: lse.pointer, rows: rows, vocab: v)
        XCTAssertEqual(result.valid, 0)
        XCTAssertEqual(result.loss, 0)
    }

    // MARK: dropout
    func testDropoutMaskIsSeededAndScalesKeptValues() {
        var rng1 = RandomGenerator(seed: 42), rng2 = RandomGenerator(seed: 42), rng3 = RandomGenerator(seed: 43)
        let m1 = DropoutKernel.mask(count: 10_000, p: 0.3, rng: &rng1)
        XCTAssertEqual(m1, DropoutKernel.mask(count: 10_000, p: 0.3, rng: &rng2))
        XCTAssertNotEqual(m1, DropoutKernel.mask(count: 10_000, p: 0.3, rng: &rng3))
        let dropped = Double(m1.filter { $0 == 0 }.count) / 10_000
        XCTAssertEqual(dropped, 0.3, accuracy: 0.02)
        let mask = Buffer(Array(m1.prefix(20)))
        let x = randomDoubles(20, seed: 11)
        func forward(_ xs: [[Double]]) -> [Double] {
            let xb = Buffer(xs[0]), y = Buffer(repeating: 0.0, count: 20)
            DropoutKernel.forward(xb.pointer, mask: mask.pointer, y.pointer, count: 20, p: 0.3)
            return y.array
        }
        let y = forward([x])
        for i in 0..<20 { XCTAssertEqual(y[i], m1[i] == 0 ? 0 : x[i] / 0.7, accuracy: 1e-15) }
        assertGradients([x], forward: forward) { dy, _ in
            let g = Buffer(dy), dx = Buffer(repeating: 0.0, count: 20)
            DropoutKernel.backward(dy: g.pointer, mask: mask.pointer, dx: dx.pointer, count: 20, p: 0.3)
            return [dx.array]
        }
    }
}

import Foundation
