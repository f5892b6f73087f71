import CKernels
import Foundation
import XCTest
@testable import TensorCore

final class VectorExpTests: XCTestCase {
    /// The vectorised exponential agrees with Float64 exp to a few ulp over the range softmax uses.
    func testExpMatchesDoublePrecisionAcrossTheRange() {
        var xs = [Float]()
        var x: Float = -87
        while x < 88 { xs.append(x); x += 0.0137 }
        xs += [0, -0.0, 1e-8, -1e-8, 88.5, -87.5, -100, -Float.infinity]
        var ys = [Float](repeating: 0, count: xs.count)
        attune_exp_scale(xs, &ys, xs.count, 0, 1)
        var worst = 0.0
        for (x, y) in zip(xs, ys) {
            let expected = Foundation.exp(Double(x))
            if x < -87.34 { XCTAssertEqual(y, 0, "exp(\(x)) flushes to 0"); continue }
            if expected < 1.2e-38 { continue }  // subnormal results may flush
            worst = max(worst, abs(Double(y) - expected) / expected)
        }
        XCTAssertLessThan(worst, 3e-7, "worst relative error")
        print("vectorised exp: \(attune_exp_is_vectorized() == 1 ? "AVX2" : "portable"), worst relative error \(worst)")
        // Sums and accumulation agree with the element-wise path (odd length exercises the tail).
        let row = (0..<1001).map { Float(sin(Double($0))) * 5 }
        let sum = attune_exp_sum(row, row.count, 2)
        XCTAssertEqual(Double(sum), row.reduce(0.0) { $0 + Foundation.exp(Double($1) - 2) }, accuracy: 1e-4 * Double(sum))
        var acc = [Float](repeating: 1, count: row.count)
        attune_exp_scale_add(row, &acc, row.count, 2, 0.5)
        for i in [0, 7, 8, 999, 1000] { XCTAssertEqual(Double(acc[i]), 1 + 0.5 * Foundation.exp(Double(row[i]) - 2), accuracy: 1e-5) }
        XCTAssertEqual(attune_max(row, row.count), row.max()!)
    }

    /// Float cross-entropy (vectorised) agrees with the Float64 instantiation.
    func testFloatCrossEntropyMatchesDouble() {
        let (rows, v) = (6, 1003)
        let logits = randomDoubles(rows * v, seed: 4, scale: 8)
        let targets: [Int32] = [1, -100, 1002, 0, 500, 3]
        let ld = Buffer(logits), lf = Buffer(logits.map(Float.init)), t = Buffer(targets)
        let lsed = Buffer(repeating: 0.0, count: rows), lsef = Buffer(repeating: Float(0), count: rows)
        let d = CrossEntropyKernel.forward(logits: ld.pointer, targets: t.pointer, logSumExp: lsed.pointer, rows: rows, vocab: v)
        let f = CrossEntropyKernel.forward(logits: lf.pointer, targets: t.pointer, logSumExp: lsef.pointer, rows: rows, vocab: v)
        XCTAssertEqual(Double(f.loss), d.loss, accuracy: 1e-5 * d.loss)
        let gd = Buffer(repeating: 0.0, count: rows * v), gf = Buffer(repeating: Float(0), count: rows * v)
        CrossEntropyKernel.backward(dloss: 1.0, logits: ld.pointer, targets: t.pointer, logSumExp: lsed.pointer, dlogits: gd.pointer, rows: rows, vocab: v, valid: d.valid)
        CrossEntropyKernel.backward(dloss: Float(1), logits: lf.pointer, targets: t.pointer, logSumExp: lsef.pointer, dlogits: gf.pointer, rows: rows, vocab: v, valid: f.valid)
        assertClose(gf.array.map(Double.init), gd.array, atol: 1e-7)
    }
}
