import CKernels
import XCTest
@testable import TensorCore

/// The bf16 GEMM of `numerics=bf16` (`attune_gemm_bf16`): PyTorch's rounding to bfloat16, the
/// `vdpbf16ps` lane as measured on AVX512_BF16 hardware, the portable path against a scalar
/// spelling of the definition, and the AVX512_BF16 path bit for bit against the portable one.
final class BF16GEMMTests: XCTestCase {
    override func tearDown() { Numerics.forceKernelPath(nil) }

    static func float(_ bits: UInt32) -> Float { Float(bitPattern: bits) }

    /// fp32 → bf16 to nearest even, as PyTorch's `.to(torch.bfloat16)` (hand-checked values).
    func testRoundingToBF16MatchesHandValues() {
        let cases: [(UInt32, UInt16, String)] = [
            (0x3F80_0000, 0x3F80, "1"),
            (0x3F80_8000, 0x3F80, "1 + half an ulp: a tie, to the even 0x3F80"),
            (0x3F81_8000, 0x3F82, "a tie above an odd value rounds up to even"),
            (0x3F80_8001, 0x3F81, "just above the tie"),
            (0x3F80_7FFF, 0x3F80, "just below the tie"),
            (0xBFC0_0000, 0xBFC0, "-1.5"),
            (0x4049_0FDB, 0x4049, "π → 3.140625"),
            (0x3DCC_CCCD, 0x3DCD, "0.1 → 0.10009765625"),
            (0x7F7F_FFFF, 0x7F80, "the largest float overflows to +inf"),
            (0x7F7F_7FFF, 0x7F7F, "below the tie stays finite"),
            (0x7F80_0000, 0x7F80, "+inf"),
            (0xFF80_0000, 0xFF80, "-inf"),
            (0x7FC0_0001, 0x7FC0, "a NaN becomes 0x7FC0"),
            (0xFFC0_0000, 0x7FC0, "a negative NaN too"),
            (0x7F80_0001, 0x7FC0, "a signalling NaN whose payload would truncate to inf"),
            (0x0000_0001, 0x0000, "the smallest denormal rounds to +0"),
            (0x007F_8000, 0x0080, "a denormal tie above an odd value rounds up to the smallest normal"),
            (0x0040_8000, 0x0040, "a denormal tie below stays a (bf16) denormal"),
            (0x8000_0000, 0x8000, "-0"),
        ]
        for (input, expected, what) in cases {
            XCTAssertEqual(BF16Products.round(Self.float(input)), expected, "\(what): \(String(input, radix: 16))")
        }
        XCTAssertEqual(BF16Products.widen(0x4049), 3.140625)
        var rng = RandomGenerator(seed: 9)
        for _ in 0..<10_000 {  // the rule: the nearer of the two neighbours, ties to the even one
            let x = rng.uniform(-1000, 1000)
            let h = BF16Products.round(x)
            let down = Float(bitPattern: x.bitPattern & 0xFFFF_0000), up = Float(bitPattern: (x.bitPattern & 0xFFFF_0000) + 0x1_0000)
            let (dDown, dUp) = (abs(Double(x) - Double(down)), abs(Double(x) - Double(up)))
            let expected = dDown < dUp || (dDown == dUp && (x.bitPattern >> 16) & 1 == 0) ? down : up
            XCTAssertEqual(BF16Products.widen(h).bitPattern, expected.bitPattern, "\(x)")
        }
    }

    /// One lane of `vdpbf16ps`, with the values this instruction gave on an AMD EPYC Zen 5
    /// (Scripts/bf16-probe checks the emulation against the instruction on any AVX512_BF16 CPU).
    func testDotPairFollowsTheInstruction() {
        func h(_ x: Float) -> UInt16 { BF16Products.round(x) }
        func dot(_ acc: Float, _ a: (Float, Float), _ b: (Float, Float)) -> Float {
            BF16Products.dotPair(acc, a: (h(a.0), h(a.1)), b: (h(b.0), h(b.1)))
        }
        let tiny: Float = 0x1p-24
        // The odd element first: 1 + 1.5·2⁻²⁴ rounds up to 1 + 2⁻²³, then −1 leaves 2⁻²³.
        XCTAssertEqual(dot(1, (-1, 1.5), (1, tiny)), 0x1p-23)
        XCTAssertEqual(dot(1, (1.5, -1), (tiny, 1)), 0x1.8p-24, "even first would give 2⁻²³")
        XCTAssertEqual(dot(1, (0x1p-12, 0x1p-12), (0x1p-12, 0x1p-12)), 1, "each step rounds: two half-ulp ties stay at 1")
        XCTAssertEqual(BF16Products.dotPair(0, a: (0x0001, 0), b: (h(0x1p100), 0)), 0, "a bf16 denormal reads as zero")
        XCTAssertEqual(dot(0x1p-140, (0, 0), (0, 0)), 0, "a denormal sum reads as zero")
        XCTAssertEqual(dot(0, (0x1p-70, 0), (0x1p-70, 0)), 0, "2⁻¹⁴⁰ flushes to zero")
        XCTAssertEqual(dot(0, (-0x1p-70, 0), (0x1p-70, 0)).bitPattern, (-Float.zero).bitPattern, "flushing keeps the sign")
        XCTAssertEqual(dot(0x1p-126, (-0x1p-76, 0), (0x1p-76, 0)), 0x1p-126, "2⁻¹²⁶ − 2⁻¹⁵² rounds back to 2⁻¹²⁶: kept")
        XCTAssertEqual(dot(0x1p-126, (-0x1.8p-76, 0), (0x1p-75, 0)), 0,
                       "2⁻¹²⁶ − 1.5·2⁻¹⁵¹ rounds (exponent unbounded) below 2⁻¹²⁶: flushed, though fmaf's denormal rounding gives 2⁻¹²⁶")
        XCTAssertEqual(dot(0x1p-125, (0x1.02p-75, 0), (0x1p-74, 0)), 0x1.000002p-125, "the product is exact, never rounded alone")
        XCTAssertTrue(dot(0, (.infinity, 0), (0, 0)).isNaN, "inf · 0")
        XCTAssertEqual(dot(0, (.infinity, 0), (1, 0)), .infinity)
        XCTAssertEqual(dot(0x1.9p127, (0x1p64, 0), (0x1p63, 0)), .infinity, "overflow")
    }

    /// The header's definition spelled out per element, through `BF16Products.dotPair`.
    static func reference(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: [Float], lda: Int,
                          b: [Float], ldb: Int, beta: Float, c: [Float], ldc: Int) -> [Float] {
        var out = c
        let kc = Int(ATTUNE_GEMM_KC)
        for i in 0..<m {
            for j in 0..<n {
                var value = beta == 0 ? 0 : beta == 1 ? c[i * ldc + j] : c[i * ldc + j] * beta
                func av(_ p: Int) -> UInt16 { BF16Products.round(transA ? a[p * lda + i] : a[i * lda + p]) }
                func bv(_ p: Int) -> UInt16 { BF16Products.round(transB ? b[j * ldb + p] : b[p * ldb + j]) }
                for p0 in stride(from: 0, to: k, by: kc) {
                    let end = min(k, p0 + kc)
                    var s: Float = 0
                    for p in stride(from: p0, to: end, by: 2) {
                        s = BF16Products.dotPair(s, a: (av(p), p + 1 < end ? av(p + 1) : 0), b: (bv(p), p + 1 < end ? bv(p + 1) : 0))
                    }
                    value = p0 == 0 && beta == 0 ? alpha * s : value.addingProduct(alpha, s)
                    if value.isNaN { value = Float(bitPattern: 0x7FC0_0000) }
                }
                out[i * ldc + j] = value
            }
        }
        return out
    }

    struct Case: CustomStringConvertible {
        var m, n, k: Int
        var transA, transB: Bool
        var alpha, beta: Float
        var pad: Int
        var special: Bool  // sprinkle denormals, infinities, NaNs, ties and tiny values
        var description: String { "\(m)×\(n)×\(k) transA \(transA) transB \(transB) alpha \(alpha) beta \(beta) pad \(pad) special \(special)" }
    }

    /// Shapes at every edge: the micro-tiles (4×16 portable, 12×32 AVX512_BF16) ± 1, odd k (a
    /// half pair), the K block (256) ± 1, past the row block (252) and the column slab (1024), and
    /// products whose op(A) is packed once for every chunk over several K blocks.
    static func cases(count: Int) -> [Case] {
        let edges = [1, 2, 3, 4, 5, 11, 12, 13, 15, 16, 17, 31, 32, 33, 97, 255, 256, 257, 513]
        var rng = RandomGenerator(seed: 2027)
        func pick(_ limit: Int) -> Int { rng.nextInt(below: 3) == 0 ? edges[rng.nextInt(below: edges.count)] : 1 + rng.nextInt(below: limit) }
        var list = [Case]()
        for i in 0..<count {
            var m = pick(60), n = pick(70), k = pick(600)
            if m * n * k > 2_000_000 { k = 1 + k % 64 }
            if i % 40 == 0 { (m, n, k) = (3, 1100, 70) }
            if i % 40 == 1 { (m, n, k) = (260, 5, 9) }
            if i % 40 == 2 { (m, n, k) = (30, 600, 530) }  // A packed once and shared: several K blocks, chunks along N
            let betas: [Float] = [0, 1, 0.5]
            list.append(Case(m: m, n: n, k: k, transA: i % 2 == 1, transB: (i / 2) % 2 == 1, alpha: i % 5 == 0 ? 0.37 : 1,
                             beta: betas[i % 3], pad: rng.nextInt(below: 3), special: i % 4 == 3))
        }
        return list
    }

    static func value(_ rng: inout RandomGenerator, special: Bool) -> Float {
        guard special, rng.nextInt(below: 25) == 0 else { return rng.uniform(-1, 1) }
        let specials: [Float] = [float(0x0040_0000), -float(0x007F_FFFF), .infinity, -.infinity, .nan, 0x1p-70, -0x1p-64,
                                 float(0x3F80_8000), float(0x3F81_8000), -0, 0x1p100, 0x1.0101p0]
        return specials[rng.nextInt(below: specials.count)]
    }

    static func run(_ c: Case, a: [Float], b: [Float], c0: [Float], threads: Int) -> [Float] {
        let lda = (c.transA ? c.m : c.k) + c.pad, ldb = (c.transB ? c.k : c.n) + c.pad, ldc = c.n + c.pad
        var out = c0
        attune_gemm_bf16(c.transA ? 1 : 0, c.transB ? 1 : 0, c.m, c.n, c.k, c.alpha, a, lda, b, ldb, c.beta, &out, ldc, threads)
        return out
    }

    static func inputs(_ c: Case, _ rng: inout RandomGenerator) -> (a: [Float], b: [Float], c: [Float]) {
        let lda = (c.transA ? c.m : c.k) + c.pad, ldb = (c.transB ? c.k : c.n) + c.pad, ldc = c.n + c.pad
        let a = (0..<((c.transA ? c.k : c.m) * lda)).map { _ in value(&rng, special: c.special) }
        let b = (0..<((c.transB ? c.n : c.k) * ldb)).map { _ in value(&rng, special: c.special) }
        let c0 = (0..<(c.m * ldc)).map { _ in rng.uniform(-1, 1) }
        return (a, b, c0)
    }

    /// The portable path computes the definition, element for element, on any CPU.
    func testPortablePathFollowsTheDefinition() {
        Numerics.forceKernelPath(.portable)
        XCTAssertEqual(Numerics.bf16Path, .portable)
        var rng = RandomGenerator(seed: 12)
        for c in Self.cases(count: 120) {
            let (a, b, c0) = Self.inputs(c, &rng)
            let lda = (c.transA ? c.m : c.k) + c.pad, ldb = (c.transB ? c.k : c.n) + c.pad, ldc = c.n + c.pad
            let expected = Self.reference(transA: c.transA, transB: c.transB, m: c.m, n: c.n, k: c.k, alpha: c.alpha, a: a, lda: lda,
                                          b: b, ldb: ldb, beta: c.beta, c: c0, ldc: ldc)
            for threads in [1, 3] {
                let out = Self.run(c, a: a, b: b, c0: c0, threads: threads)
                guard out.map(\.bitPattern) == expected.map(\.bitPattern) else {
                    return XCTFail("\(c), \(threads) threads: the portable path differs from the definition")
                }
            }
        }
    }

    /// The golden test: the AVX512_BF16 path gives the portable path's bits on every shape, with
    /// special values, at 1, 2 and 3 threads. (The one test skipped on CPUs without the feature.)
    func testAVX512BF16PathGivesThePortableBits() throws {
        try XCTSkipUnless(Numerics.BF16Path.best == .avx512bf16,
                          "this CPU has no AVX512_BF16 (cpuid leaf 7 subleaf 1, EAX bit 5, with AVX-512 F/BW/VL): only the portable bf16 path runs here")
        var rng = RandomGenerator(seed: 13)
        let cases = Self.cases(count: 400)
        for c in cases {
            let (a, b, c0) = Self.inputs(c, &rng)
            Numerics.forceKernelPath(.portable)
            let portable = Self.run(c, a: a, b: b, c0: c0, threads: 1)
            Numerics.forceKernelPath(nil)
            XCTAssertEqual(Numerics.bf16Path, .avx512bf16)
            for threads in [1, 2, 3] {
                let fast = Self.run(c, a: a, b: b, c0: c0, threads: threads)
                guard fast.map(\.bitPattern) == portable.map(\.bitPattern) else {
                    return XCTFail("\(c), \(threads) threads: the avx512bf16 path differs from the portable path")
                }
            }
        }
    }

    /// A fixed product whose bits are recorded: every path on every machine must give them (the
    /// value was computed by both paths on an AVX512_BF16 CPU). Shapes of a SmolLM2 projection.
    func testGoldenChecksumOnEveryPath() {
        let (m, n, k) = (37, 100, 576)
        var rng = RandomGenerator(seed: 2028)
        let x = (0..<(m * k)).map { _ in rng.uniform(-2, 2) }, w = (0..<(n * k)).map { _ in rng.uniform(-0.1, 0.1) }
        var hashes: [String: UInt64] = [:]
        for path in Numerics.KernelPath.allCases where path <= .best {
            Numerics.forceKernelPath(path)
            var y = [Float](repeating: 0, count: m * n)
            attune_gemm_bf16(0, 1, m, n, k, 1, x, k, w, k, 0, &y, n, 2)
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for v in y { for shift in stride(from: 0, to: 32, by: 8) { hash = (hash ^ UInt64((v.bitPattern >> UInt32(shift)) & 0xFF)) &* 0x100_0000_01B3 } }
            hashes["\(path.name)/\(Numerics.bf16Path.name)"] = hash
        }
        for (path, hash) in hashes { XCTAssertEqual(hash, Self.goldenHash, "\(path): \(String(hash, radix: 16))") }
    }

    static let goldenHash: UInt64 = 0x3B2E_FACE_A097_B017

    /// In bf16 numerics a frozen weight's products take the bf16 GEMM, a trainable weight's and
    /// every other mode's the fp32 GEMM; the gradients of `x` follow the weight's role.
    func testNumericsModeRoutesFrozenWeightProducts() throws {
        let (m, n, k) = (9, 20, 70)
        var rng = RandomGenerator(seed: 4)
        let xValues = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }, wValues = (0..<(n * k)).map { _ in rng.uniform(-1, 1) }
        let gValues = (0..<(m * n)).map { _ in rng.uniform(-1, 1) }
        func expected(bf16: Bool) -> (y: [Float], dx: [Float]) {
            var y = [Float](repeating: 0, count: m * n), dx = [Float](repeating: 0, count: m * k)
            let gemm = bf16 ? attune_gemm_bf16 : attune_sgemm
            gemm(0, 1, m, n, k, 1, xValues, k, wValues, k, 0, &y, n, 1)
            gemm(0, 0, m, k, n, 1, gValues, n, wValues, k, 1, &dx, k, 1)
            return (y, dx)
        }
        for mode in NumericsMode.allCases where mode != .fast {
            for trainable in [false, true] {
                let x = try Tensor(shape: [m, k], values: xValues, requiresGrad: true)
                let w = try Tensor(shape: [n, k], values: wValues, requiresGrad: trainable)
                let tape = Tape()
                let y = Numerics.with(mode) { tape.linear(x, w) }
                let seed = try Tensor(shape: [m, n], values: gValues)
                Numerics.with(mode) { tape.backward(from: y, gradient: seed) }
                let want = expected(bf16: mode == .bf16 && !trainable)
                XCTAssertEqual(y.values.map(\.bitPattern), want.y.map(\.bitPattern), "\(mode), trainable \(trainable): y")
                XCTAssertEqual(x.grad!.values.map(\.bitPattern), want.dx.map(\.bitPattern), "\(mode), trainable \(trainable): dx")
            }
        }
    }
}
