import XCTest
@testable import TensorCore

final class MatmulKernelTests: XCTestCase {
    /// Direct triple loop: C[i,j] = Σ_p op(A)[i,p] op(B)[p,j].
    func naive(_ a: [Double], _ b: [Double], m: Int, n: Int, k: Int, transA: Bool, transB: Bool) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k {
            let av = transA ? a[p * m + i] : a[i * k + p]
            let bv = transB ? b[j * k + p] : b[p * n + j]
            c[i * n + j] += av * bv
        } } }
        return c
    }

    func testForwardMatchesNaiveForEveryTransposeAndOddSizes() {
        for (m, n, k) in [(1, 1, 1), (3, 5, 7), (17, 9, 13), (64, 33, 2)] {
            for transA in [false, true] { for transB in [false, true] {
                let a = randomDoubles(m * k, seed: 1), b = randomDoubles(k * n, seed: 2)
                let c = Buffer(repeating: 0.0, count: m * n)
                let ab = Buffer(a), bb = Buffer(b)
                MatmulKernel.forward(ab.pointer, bb.pointer, c.pointer, m: m, n: n, k: k, transA: transA, transB: transB)
                assertClose(c.array, naive(a, b, m: m, n: n, k: k, transA: transA, transB: transB), atol: 1e-12, "\(m)x\(n)x\(k) \(transA) \(transB)")
                // Float32 path through sgemm.
                let af = Buffer(a.map(Float.init)), bf = Buffer(b.map(Float.init)), cf = Buffer(repeating: Float(0), count: m * n)
                MatmulKernel.forward(af.pointer, bf.pointer, cf.pointer, m: m, n: n, k: k, transA: transA, transB: transB)
                assertClose(cf.array.map(Double.init), naive(a, b, m: m, n: n, k: k, transA: transA, transB: transB), atol: 1e-5)
            } }
        }
    }

    /// `beta = 0` must not read C: outputs are allocated uninitialised (`Tensor(uninitialized:)`),
    /// so NaN left in the memory may not leak into the product, for `k = 0` neither.
    func testBetaZeroOverwritesWhatCHeldEvenNaN() {
        for (m, n, k) in [(3, 4, 5), (2, 3, 0), (64, 48, 32)] {
            let a = Buffer((0..<(m * k)).map { Float($0 % 7) - 3 }), b = Buffer((0..<(k * n)).map { Float($0 % 5) - 2 })
            let c = Buffer(repeating: Float.nan, count: m * n)
            MatmulKernel.forward(a.pointer, b.pointer, c.pointer, m: m, n: n, k: k)
            let expected = naive(a.array.map(Double.init), b.array.map(Double.init), m: m, n: n, k: k, transA: false, transB: false)
            XCTAssertEqual(c.array.map(Double.init), expected, "\(m)x\(n)x\(k)")
            let ad = Buffer(a.array.map(Double.init)), bd = Buffer(b.array.map(Double.init))
            let cd = Buffer(repeating: Double.nan, count: m * n)
            MatmulKernel.forward(ad.pointer, bd.pointer, cd.pointer, m: m, n: n, k: k)
            XCTAssertEqual(cd.array, expected, "double \(m)x\(n)x\(k)")
        }
    }

    /// The linear layer's output starts uninitialised; its values are the product all the same,
    /// also when the buffer comes back from the pool holding an earlier tensor's values.
    func testLinearOutputDoesNotDependOnRecycledMemory() throws {
        let x = try Tensor(shape: [1024, 64], values: (0..<(1024 * 64)).map { Float($0 % 11) - 5 })
        let w = try Tensor(shape: [96, 64], values: (0..<(96 * 64)).map { Float($0 % 13) - 6 })
        let tape = Tape(recording: false)
        let first = tape.linear(x, w).values
        do { let garbage = Tensor(uninitialized: [1024, 96]); garbage.pointer.update(repeating: .nan, count: garbage.count) }
        XCTAssertEqual(tape.linear(x, w).values, first)
        XCTAssertFalse(first.contains { $0.isNaN })
    }

    func testBackwardMatchesFiniteDifferencesForEveryTranspose() {
        let (m, n, k) = (5, 3, 7)
        for transA in [false, true] { for transB in [false, true] {
            assertGradients([randomDoubles(m * k, seed: 3), randomDoubles(k * n, seed: 4)], forward: { x in
                let a = Buffer(x[0]), b = Buffer(x[1]), c = Buffer(repeating: 0.0, count: m * n)
                MatmulKernel.forward(a.pointer, b.pointer, c.pointer, m: m, n: n, k: k, transA: transA, transB: transB)
                return c.array
            }, backward: { dy, x in
                let a = Buffer(x[0]), b = Buffer(x[1]), g = Buffer(dy)
                let da = Buffer(repeating: 0.0, count: m * k), db = Buffer(repeating: 0.0, count: k * n)
                MatmulKernel.backward(dC: g.pointer, a: a.pointer, b: b.pointer, dA: da.pointer, dB: db.pointer,
                                      m: m, n: n, k: k, transA: transA, transB: transB)
                return [da.array, db.array]
            })
        } }
    }

    func testTapeMatmulRejectsMismatchedShapesByPrecondition() throws {
        // Shapes are validated before BLAS sees them: the message names both shapes.
        let tape = Tape()
        let a = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = try Tensor(shape: [3, 1], values: [1, 0, -1])
        let c = tape.matmul(a, b)
        XCTAssertEqual(c.shape, [2, 1])
        XCTAssertEqual(c.values, [-2, -2])
    }
}
