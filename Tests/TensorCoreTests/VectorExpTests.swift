import CKernels
import Foundation
import XCTest
@testable import TensorCore

final class VectorExpTests: XCTestCase {
    override func tearDown() { attune_kernel_force_path(-1) }

    /// The portable path, then the vector path where this CPU has one.
    func paths() -> [Int32] {
        let (portable, avx2) = (Int32(ATTUNE_PATH_PORTABLE), Int32(ATTUNE_PATH_AVX2))
        return attune_kernel_best_path() >= avx2 ? [portable, avx2] : [portable]
    }

    /// The exponential agrees with Float64 exp to a few ulp over the range softmax uses, on every path.
    func testExpMatchesDoublePrecisionAcrossTheRange() {
        for path in paths() {
            attune_kernel_force_path(path)
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
            print("exp on the \(String(cString: attune_kernel_path_name(attune_kernel_path()))) path: worst relative error \(worst)")
            // Sums and accumulation agree with the element-wise path (odd length exercises the tail).
            let row = (0..<1001).map { Float(sin(Double($0))) * 5 }
            let sum = attune_exp_sum(row, row.count, 2)
            XCTAssertEqual(Double(sum), row.reduce(0.0) { $0 + Foundation.exp(Double($1) - 2) }, accuracy: 1e-4 * Double(sum))
            var acc = [Float](repeating: 1, count: row.count)
            attune_exp_scale_add(row, &acc, row.count, 2, 0.5)
            for i in [0, 7, 8, 999, 1000] { XCTAssertEqual(Double(acc[i]), 1 + 0.5 * Foundation.exp(Double(row[i]) - 2), accuracy: 1e-5) }
            XCTAssertEqual(attune_max(row, row.count), row.max()!)
            // Beyond the range: overflow to +inf, NaN stays NaN, max skips NaN.
            let beyond: [Float] = [89, 1000, .infinity, .nan, -Float.nan, 88.8]
            var special = [Float](repeating: 0, count: beyond.count)
            attune_exp_scale(beyond, &special, beyond.count, 0, 1)
            XCTAssertEqual(Array(special[0..<3]), [.infinity, .infinity, .infinity])
            XCTAssertTrue(special[3].isNaN && special[4].isNaN)
            XCTAssertEqual(special[5], .infinity)
            XCTAssertEqual(attune_max([Float.nan, 1, 2], 3), 2)
            XCTAssertTrue(attune_exp_sum([Float](repeating: 0, count: 9) + [.nan], 10, 0).isNaN)
        }
    }

    /// max, exp_sum, exp_scale and exp_scale_add give the same bits on the portable and the vector
    /// path, for lengths 0 … 80 and longer rows of any remainder mod 8, any alignment, values across
    /// the whole range (underflowing, overflowing, ±0, ±inf) and shifts either side of the max.
    func testEveryPathGivesTheSameBits() {
        let paths = paths()
        guard paths.count > 1 else { return }
        var rng = RandomGenerator(seed: 31)
        for trial in 0..<400 {
            let n = trial <= 80 ? trial : 1 + rng.nextInt(below: 3000)
            let offset = rng.nextInt(below: 8)
            let kind = trial % 4
            let storage: [Float] = (0..<(offset + n)).map { _ in
                switch kind {
                case 0: return rng.uniform(-1, 1)
                case 1: return rng.uniform(-120, 100)
                case 2: return rng.nextInt(below: 2) == 0 ? 0 : -0.0
                default: return rng.uniform(-30, 10) * Float(rng.nextInt(below: 4))
                }
            }
            var x = storage
            if kind == 1 && n > 3 { x[offset + rng.nextInt(below: n)] = .infinity; x[offset + rng.nextInt(below: n)] = -.infinity }
            let (scale, randomShift) = (rng.uniform(0.1, 3), rng.uniform(-3, 3))
            let initial = (0..<n).map { _ in rng.uniform(-1, 1) }
            var results = [[UInt32]]()
            for path in paths {
                attune_kernel_force_path(path)
                var bits = [UInt32]()
                x.withUnsafeBufferPointer { all in
                    let p = all.baseAddress! + offset
                    let m = attune_max(p, n)
                    let shift = kind == 1 ? m : randomShift
                    var y = [Float](repeating: .nan, count: n), z = initial
                    attune_exp_scale(p, &y, n, shift, scale)
                    attune_exp_scale_add(p, &z, n, shift, scale)
                    bits = [m.bitPattern, attune_exp_sum(p, n, shift).bitPattern] + y.map(\.bitPattern) + z.map(\.bitPattern)
                }
                // A NaN (inf − inf with an infinite max) compares as one value: its sign may differ.
                results.append(bits.map { Float(bitPattern: $0).isNaN ? Float.nan.bitPattern : $0 })
            }
            XCTAssertEqual(results[0], results[1], "n \(n), offset \(offset), kind \(kind)")
            if results[0] != results[1] { break }
        }
    }

    /// `attune_softmax` is exactly max, exp_sum and exp_scale composed (each exponential computed
    /// once instead of twice), on every path, into another buffer and in place, for lengths 0 … 80
    /// and longer rows, any alignment, rows with underflowing entries, ±inf and NaN.
    func testSoftmaxIsTheComposedPassesBitForBit() {
        defer { attune_kernel_force_path(-1) }
        var rng = RandomGenerator(seed: 47)
        for trial in 0..<300 {
            let n = trial <= 80 ? trial : 1 + rng.nextInt(below: 2000)
            let offset = rng.nextInt(below: 8)
            let kind = trial % 4
            var storage: [Float] = (0..<(offset + n)).map { _ in
                switch kind {
                case 0: return rng.uniform(-1, 1)
                case 1: return rng.uniform(-120, 20)
                case 2: return rng.uniform(-8, 8)
                default: return rng.uniform(-30, 10) * Float(rng.nextInt(below: 4))
                }
            }
            if kind == 2 && n > 3 { storage[offset + rng.nextInt(below: n)] = trial % 8 == 2 ? .infinity : .nan }
            for path in paths() {
                attune_kernel_force_path(path)
                storage.withUnsafeBufferPointer { all in
                    let x = all.baseAddress! + offset
                    var expected = [Float](repeating: -7, count: n), y = [Float](repeating: -7, count: n)
                    let m = attune_max(x, n)
                    attune_exp_scale(x, &expected, n, m, 1 / attune_exp_sum(x, n, m))
                    attune_softmax(x, &y, n)
                    var inPlace = Array(all[offset..<(offset + n)])
                    inPlace.withUnsafeMutableBufferPointer { row in attune_softmax(row.baseAddress, row.baseAddress, n) }
                    let bits = { (values: [Float]) in values.map { $0.isNaN ? Float.nan.bitPattern : $0.bitPattern } }
                    XCTAssertEqual(bits(y), bits(expected), "path \(path), n \(n), offset \(offset), kind \(kind)")
                    XCTAssertEqual(bits(inPlace), bits(expected), "in place: path \(path), n \(n), kind \(kind)")
                }
            }
        }
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
