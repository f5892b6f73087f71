import CKernels
import XCTest
@testable import TensorCore

/// Attune's own GEMM (`attune_sgemm`): within float32 rounding of a float64 reference on random
/// shapes, and bit for bit the same on every vector path this CPU has and at any thread count.
final class ReproducibleGEMMTests: XCTestCase {
    override func tearDown() { Numerics.forceKernelPath(nil) }

    /// Paths this machine can run, slowest first.
    var paths: [Numerics.KernelPath] { Numerics.KernelPath.allCases.filter { $0 <= .best } }

    /// Sizes that hit every edge: 1, odd, prime, the micro-tile sizes ± 1, the K block (256) ± 1,
    /// past the row-tile limit (252) and a few larger.
    static let edgeSizes = [1, 2, 3, 5, 6, 7, 11, 12, 13, 16, 17, 31, 32, 33, 97, 255, 256, 257, 300, 513]

    struct Case: CustomStringConvertible {
        var m, n, k: Int
        var transA, transB: Bool
        var alpha, beta: Float
        var padA, padB, padC: Int  // leading dimensions larger than the rows
        var description: String { "\(m)×\(n)×\(k) transA \(transA) transB \(transB) alpha \(alpha) beta \(beta) pads \(padA),\(padB),\(padC)" }
    }

    static func cases(count: Int) -> [Case] {
        var rng = RandomGenerator(seed: 2026)
        var list = [Case]()
        func pick(_ limit: Int) -> Int {
            rng.nextInt(below: 3) == 0 ? edgeSizes[rng.nextInt(below: edgeSizes.count)] : 1 + rng.nextInt(below: limit)
        }
        for i in 0..<count {
            var m = pick(80), n = pick(80), k = pick(700)
            // Keep the reference loop cheap: large in at most two dimensions.
            if m * n * k > 4_000_000 { k = 1 + k % 64 }
            if i % 50 == 0 { (m, n, k) = (2, 4100, 300) }  // wider than a column tile (4096)
            let betas: [Float] = [0, 1, 0.5]
            list.append(Case(m: m, n: n, k: k, transA: i % 2 == 1, transB: (i / 2) % 2 == 1,
                             alpha: i % 5 == 0 ? 0.37 : 1, beta: betas[i % 3],
                             padA: rng.nextInt(below: 3), padB: rng.nextInt(below: 3), padC: rng.nextInt(below: 3)))
        }
        return list
    }

    func testMatchesFloat64ReferenceAndEveryPathAndThreadCountGiveTheSameBits() {
        var rng = RandomGenerator(seed: 11)
        let cases = Self.cases(count: 320)
        var worst = 0.0
        for c in cases {
            let lda = (c.transA ? c.m : c.k) + c.padA, ldb = (c.transB ? c.k : c.n) + c.padB, ldc = c.n + c.padC
            let a = (0..<((c.transA ? c.k : c.m) * lda)).map { _ in Float(rng.uniform(-1, 1)) }
            let b = (0..<((c.transB ? c.n : c.k) * ldb)).map { _ in Float(rng.uniform(-1, 1)) }
            let c0 = (0..<(c.m * ldc)).map { _ in Float(rng.uniform(-1, 1)) }
            var first: [Float]?
            for path in paths {
                for threads in [1, 2, 3] {
                    Numerics.forceKernelPath(path)
                    var out = c0
                    a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in out.withUnsafeMutableBufferPointer { cp in
                        attune_sgemm(c.transA ? 1 : 0, c.transB ? 1 : 0, c.m, c.n, c.k, c.alpha, ap.baseAddress, lda,
                                     bp.baseAddress, ldb, c.beta, cp.baseAddress, ldc, threads)
                    } } }
                    if let first {
                        if first.map(\.bitPattern) != out.map(\.bitPattern) {
                            XCTFail("\(c): the \(path.name) path with \(threads) threads differs from the portable path with 1 thread")
                            return
                        }
                    } else {
                        first = out
                    }
                }
            }
            // Float64 reference: |error| ≤ 2⁻²² · Σ|a||b| (a few ulps of the sum's scale) + the beta term's rounding.
            let out = first!
            for i in 0..<c.m {
                for j in 0..<c.n {
                    var exact = 0.0, scale = 0.0
                    for p in 0..<c.k {
                        let av = Double(c.transA ? a[p * lda + i] : a[i * lda + p])
                        let bv = Double(c.transB ? b[j * ldb + p] : b[p * ldb + j])
                        exact += av * bv
                        scale += abs(av * bv)
                    }
                    let old = Double(c0[i * ldc + j])
                    let expected = Double(c.alpha) * exact + (c.beta == 0 ? 0 : Double(c.beta) * old)
                    let bound = 2e-7 * Double(c.k + 2) * (scale + abs(old)) + 1e-30
                    let error = abs(Double(out[i * ldc + j]) - expected)
                    worst = max(worst, error / bound)
                    if error > bound {
                        XCTFail("\(c): C[\(i),\(j)] = \(out[i * ldc + j]), float64 reference \(expected)")
                        return
                    }
                }
                // Padding columns of C are never written.
                for j in c.n..<ldc where out[i * ldc + j].bitPattern != c0[i * ldc + j].bitPattern {
                    XCTFail("\(c): wrote C[\(i),\(j)] past n")
                    return
                }
            }
        }
        print("reproducible GEMM: \(cases.count) shapes, paths \(paths.map(\.name)), worst error / bound \(worst)")
    }

    /// Wide products pack op(A) once and share it between the column chunks (and column slabs):
    /// the same bits as computing each band of at most 256 columns on its own (a call that packs
    /// A itself), on every path, at 1 to 3 threads, both layouts of A and B, accumulating or not.
    func testSharedPackedAGivesTheBitsOfColumnBandsComputedAlone() {
        var rng = RandomGenerator(seed: 29)
        for (m, n, k) in [(97, 1100, 600), (300, 530, 257), (13, 2049, 70), (1100, 520, 33)] {
            for (transA, transB) in [(false, true), (true, false), (false, false), (true, true)] {
                let beta: Float = transA == transB ? 1 : 0
                let lda = transA ? m : k, ldb = transB ? k : n
                let a = (0..<(m * k)).map { _ in Float(rng.uniform(-1, 1)) }
                let b = (0..<(k * n)).map { _ in Float(rng.uniform(-1, 1)) }
                let c0 = (0..<(m * n)).map { _ in Float(rng.uniform(-1, 1)) }
                var bands = c0
                Numerics.forceKernelPath(.portable)
                for j0 in stride(from: 0, to: n, by: 256) {
                    let width = min(256, n - j0)
                    a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in bands.withUnsafeMutableBufferPointer { cp in
                        attune_sgemm(transA ? 1 : 0, transB ? 1 : 0, m, width, k, 1, ap.baseAddress, lda,
                                     bp.baseAddress! + (transB ? j0 * ldb : j0), ldb, beta, cp.baseAddress! + j0, n, 1)
                    } } }
                }
                for path in paths {
                    for threads in [1, 2, 3] {
                        Numerics.forceKernelPath(path)
                        var out = c0
                        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in out.withUnsafeMutableBufferPointer { cp in
                            attune_sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, 1, ap.baseAddress, lda,
                                         bp.baseAddress, ldb, beta, cp.baseAddress, n, threads)
                        } } }
                        XCTAssertEqual(out.map(\.bitPattern), bands.map(\.bitPattern),
                                       "\(m)×\(n)×\(k) transA \(transA) transB \(transB) on \(path.name) at \(threads) threads")
                    }
                }
            }
        }
    }

    /// The definition in the header, spelled out for one element: an FMA chain per block of 256
    /// k values, blocks added with `fma(alpha, s, C)`.
    func testOneElementFollowsTheDocumentedChain() {
        let k = 600
        var rng = RandomGenerator(seed: 5)
        let a = (0..<k).map { _ in Float(rng.uniform(-1, 1)) }, b = (0..<k).map { _ in Float(rng.uniform(-1, 1)) }
        for beta: Float in [0, 1] {
            let start: Float = 0.25, alpha: Float = 0.5
            var expected = start
            var p0 = 0
            while p0 < k {
                var s: Float = 0
                for p in p0..<min(k, p0 + Int(ATTUNE_GEMM_KC)) { s = s.addingProduct(a[p], b[p]) }  // fused
                expected = (p0 == 0 && beta == 0) ? alpha * s : expected.addingProduct(alpha, s)
                p0 += Int(ATTUNE_GEMM_KC)
            }
            for path in paths {
                Numerics.forceKernelPath(path)
                var c: [Float] = [start]
                attune_sgemm(0, 0, 1, 1, Int(k), alpha, a, Int(k), b, 1, beta, &c, 1, 1)
                XCTAssertEqual(c[0].bitPattern, expected.bitPattern, "beta \(beta), \(path.name): \(c[0]) vs \(expected)")
            }
        }
    }

    /// `Float.gemm` follows the numerics mode: reproducible gives Attune's bits, fast OpenBLAS's
    /// (equal within rounding).
    func testNumericsModeChoosesTheGEMM() {
        let (m, n, k) = (37, 29, 300)
        var rng = RandomGenerator(seed: 3)
        let a = (0..<(m * k)).map { _ in Float(rng.uniform(-1, 1)) }, b = (0..<(k * n)).map { _ in Float(rng.uniform(-1, 1)) }
        func product(_ mode: NumericsMode) -> [Float] {
            var c = [Float](repeating: .nan, count: m * n)
            Numerics.with(mode) { Float.gemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 0, c: &c, ldc: n) }
            return c
        }
        var ours = [Float](repeating: 0, count: m * n)
        attune_sgemm(0, 0, m, n, k, 1, a, k, b, n, 0, &ours, n, 1)
        XCTAssertEqual(product(.reproducible).map(\.bitPattern), ours.map(\.bitPattern))
        let fast = product(.fast)
        for i in 0..<(m * n) { XCTAssertEqual(fast[i], ours[i], accuracy: 1e-4) }
    }
}
