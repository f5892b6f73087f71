import CKernels
import Foundation
import XCTest
@testable import TensorCore

/// The 16-bit activation decode kernels (`quant_act16.c` through `Int16Activations`), vectorised and portable:
/// activation quantization exactly as specified, dots equal to the same formula evaluated in
/// double, and within the activation-rounding bound of the exact float dot; and every path giving
/// the same bits.
final class Int16ActivationKernelTests: XCTestCase {
    override func tearDown() { attune_kernel_force_path(-1) }

    /// Both paths, the vectorised one only where the CPU has it.
    func paths() -> [Bool] {
        attune_quant_force_portable(0)
        return attune_quant_is_vectorized() == 1 ? [false, true] : [true]
    }

    func weights(_ type: GGMLType, rows: Int, cols: Int, seed: UInt64) throws -> QuantizedMatrix {
        var rng = RandomGenerator(seed: seed)
        let values = (0..<(rows * cols)).map { i in Float(rng.normal()) * (i % 64 < 32 ? 0.03 : 0.8) + (i % 96 < 32 ? 0.2 : 0) }
        return try QuantizedMatrix(quantizing: values, rows: rows, cols: cols, type: type)
    }

    func activations(count: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        // Blocks of very different scales and one all-zero block.
        return (0..<count).map { i in
            if i / 32 == 1 { return 0 }
            return Float(rng.uniform(-1, 1)) * (i / 32 % 3 == 0 ? 40 : 0.01)
        }
    }

    /// The activation blocks as (d, sum, q) read back from the raw buffer layout.
    func quantized(_ x: [Float]) -> [(d: Float, sum: Float, q: [Int16])] {
        let blocks = x.count / 32
        var raw = [UInt8](repeating: 0, count: blocks * Int(ATTUNE_ACT16_BLOCK_BYTES))
        x.withUnsafeBufferPointer { src in raw.withUnsafeMutableBytes { attune_quantize_act16(src.baseAddress!, blocks, $0.baseAddress!) } }
        return (0..<blocks).map { b in
            raw.withUnsafeBytes { p in
                let base = b * Int(ATTUNE_ACT16_BLOCK_BYTES)
                return (p.loadUnaligned(fromByteOffset: base, as: Float.self), p.loadUnaligned(fromByteOffset: base + 4, as: Float.self),
                        (0..<32).map { p.loadUnaligned(fromByteOffset: base + 8 + 2 * $0, as: Int16.self) })
            }
        }
    }

    func testActivationQuantizationFollowsTheDefinitionOnBothPaths() {
        let x = activations(count: 32 * 7, seed: 3)
        var results = [[(d: Float, sum: Float, q: [Int16])]]()
        for portable in paths() {
            attune_quant_force_portable(portable ? 1 : 0)
            let blocks = quantized(x)
            for (b, block) in blocks.enumerated() {
                let slice = x[(b * 32)..<(b * 32 + 32)]
                let amax = slice.map(abs).max()!
                XCTAssertEqual(block.d, amax / 32767, "block \(b) scale, portable=\(portable)")
                XCTAssertEqual(Double(block.sum), slice.reduce(0.0) { $0 + Double($1) }, accuracy: 1e-5 * Double(amax) * 32)
                for (i, v) in slice.enumerated() {
                    let expected = amax > 0 ? (v * (32767 / amax)).rounded(.toNearestOrEven) : 0
                    XCTAssertEqual(Float(block.q[i]), expected, "block \(b) element \(i), portable=\(portable)")
                }
            }
            XCTAssertTrue(blocks[1].q.allSatisfy { $0 == 0 } && blocks[1].d == 0, "an all-zero block")
            results.append(blocks)
        }
        if results.count == 2 {
            for (a, b) in zip(results[0], results[1]) { XCTAssertEqual(a.q, b.q); XCTAssertEqual(a.d, b.d) }
        }
    }

    func testDotsMatchTheirFormulaAndStayWithinTheRoundingBound() throws {
        for portable in paths() {
            attune_quant_force_portable(portable ? 1 : 0)
            for type in [GGMLType.q8_0, .q4_0, .q4_1] {
                for cols in [32, 96, 576, 1536] {
                    let w = try weights(type, rows: 3, cols: cols, seed: UInt64(cols))
                    let x = activations(count: 2 * cols, seed: UInt64(cols) + 1)
                    let acts = x.withUnsafeBufferPointer { Int16Activations($0.baseAddress!, rows: 2, columns: cols) }
                    for i in 0..<2 {
                        let a = Array(x[(i * cols)..<((i + 1) * cols)])
                        let blocks = quantized(a)
                        for r in 0..<3 {
                            let deq = w.dequantizeRow(r)
                            let got = withExtendedLifetime(w) { acts.dot(type, weightRow: w.rowBytes(r).baseAddress!, row: i) }
                            // The kernel's formula in double: Σ deq(w)·d·q, except Q4_1's offset m·Σa.
                            var formula = 0.0, exact = 0.0, bound = 0.0, magnitude = 0.0
                            for (b, block) in blocks.enumerated() {
                                let offset = w.rowBytes(r).loadUnaligned(fromByteOffset: b * 20 + 2, as: UInt16.self)
                                let m = type == .q4_1 ? Double(HalfFloat.toFloat(UInt16(littleEndian: offset))) : 0
                                for j in 0..<32 {
                                    let wj = Double(deq[b * 32 + j]), aj = Double(a[b * 32 + j])
                                    formula += (wj - m) * Double(block.d) * Double(block.q[j])
                                    exact += wj * aj
                                    bound += abs(wj - m) * Double(block.d) / 2
                                    magnitude += abs(wj * aj)
                                }
                                formula += m * Double(block.sum)
                            }
                            XCTAssertEqual(Double(got), formula, accuracy: 1e-5 * magnitude + 1e-6, "\(type) \(cols) row \(r) portable=\(portable)")
                            XCTAssertEqual(Double(got), exact, accuracy: bound * 1.0001 + 1e-5 * magnitude + 1e-6, "\(type) \(cols) rounding bound")
                        }
                    }
                }
            }
        }
    }

    /// The matrix-vector entry (two rows at a time on the vector path) gives exactly the one-row
    /// dots, for odd and even row counts and a start in the middle of the matrix.
    func testMatrixVectorProductEqualsTheRowDots() throws {
        for portable in paths() {
            attune_quant_force_portable(portable ? 1 : 0)
            for type in [GGMLType.q8_0, .q4_0, .q4_1] {
                let (rows, cols) = (7, 96)
                let w = try weights(type, rows: rows, cols: cols, seed: 11)
                let x = activations(count: cols, seed: 12)
                let acts = x.withUnsafeBufferPointer { Int16Activations($0.baseAddress!, rows: 1, columns: cols) }
                for (start, count) in [(0, 7), (1, 6), (2, 1), (3, 4)] {
                    var y = [Float](repeating: .nan, count: count)
                    withExtendedLifetime(w) {
                        y.withUnsafeMutableBufferPointer {
                            acts.multiply(type, weights: w.rowBytes(start).baseAddress!, rowBytes: w.rowByteCount, rows: count, row: 0, into: $0.baseAddress!)
                        }
                        for r in 0..<count {
                            XCTAssertEqual(y[r], acts.dot(type, weightRow: w.rowBytes(start + r).baseAddress!, row: 0),
                                           "\(type) rows \(start)+\(r) portable=\(portable)")
                        }
                    }
                }
            }
        }
    }

    /// The several-rows entry (batched decoding: each weight block widened once for up to four
    /// activation rows) gives every activation row the bits of its own matrix-vector product, on
    /// both paths, for 1…9 rows (tiles of four and a remainder), blocks of very different scales
    /// and a non-finite row among finite ones.
    func testSeveralRowsProductGivesEachRowItsMatrixVectorBits() throws {
        for portable in paths() {
            attune_quant_force_portable(portable ? 1 : 0)
            for type in [GGMLType.q8_0, .q4_0, .q4_1] {
                let (rows, cols) = (11, 160)
                let w = try weights(type, rows: rows, cols: cols, seed: 21)
                for count in 1...9 {
                    var x = (0..<count).flatMap { activations(count: cols, seed: 30 + UInt64($0)) }
                    if count == 6 { x[3 * cols + 40] = .infinity }
                    let acts = x.withUnsafeBufferPointer { Int16Activations($0.baseAddress!, rows: count, columns: cols) }
                    var together = [Float](repeating: .nan, count: count * rows)
                    var alone = [Float](repeating: .nan, count: count * rows)
                    withExtendedLifetime(w) {
                        let first = w.rowBytes(0).baseAddress!
                        together.withUnsafeMutableBufferPointer {
                            acts.multiplyAllRows(type, weights: first, rowBytes: w.rowByteCount, rows: rows, into: $0.baseAddress!, ldy: rows)
                        }
                        alone.withUnsafeMutableBufferPointer { out in
                            for i in 0..<count {
                                acts.multiply(type, weights: first, rowBytes: w.rowByteCount, rows: rows, row: i, into: out.baseAddress! + i * rows)
                            }
                        }
                    }
                    XCTAssertEqual(together.map(\.bitPattern), alone.map(\.bitPattern), "\(type), \(count) rows, portable=\(portable)")
                }
            }
        }
    }

    func testNonFiniteActivationsPropagate() throws {
        let w = try weights(.q4_0, rows: 1, cols: 64, seed: 1)
        for portable in paths() {
            attune_quant_force_portable(portable ? 1 : 0)
            for bad in [Float.nan, .infinity] {
                var x = activations(count: 64, seed: 2)
                x[40] = bad
                let acts = x.withUnsafeBufferPointer { Int16Activations($0.baseAddress!, rows: 1, columns: 64) }
                let got = withExtendedLifetime(w) { acts.dot(.q4_0, weightRow: w.rowBytes(0).baseAddress!, row: 0) }
                XCTAssertTrue(got.isNaN, "\(bad) in the input gives NaN, portable=\(portable)")
            }
        }
    }

    /// `ATTUNE_PORTABLE_KERNELS=1` selects the portable path for the process. The dispatch table
    /// reads it once, at the first kernel call, so the check runs in a child process (this test
    /// binary, running only this test) that starts with it set; a forced path still wins over it.
    func testTheEnvironmentForcesThePortablePath() throws {
        let (portable, avx2) = (Int32(ATTUNE_PATH_PORTABLE), Int32(ATTUNE_PATH_AVX2))
        let environment = ProcessInfo.processInfo.environment
        if environment["ATTUNE_TEST_CHILD"] == "portable-kernels" {
            XCTAssertEqual(attune_kernel_path(), portable)
            XCTAssertEqual(attune_quant_is_vectorized(), 0)
            XCTAssertEqual(attune_exp_is_vectorized(), 0)
            attune_kernel_force_path(avx2)
            XCTAssertEqual(attune_kernel_path(), min(avx2, attune_kernel_best_path()))
            attune_kernel_force_path(-1)
            XCTAssertEqual(attune_kernel_path(), portable)
            return
        }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["TensorCoreTests.Int16ActivationKernelTests/testTheEnvironmentForcesThePortablePath"]
        child.environment = environment.merging(["ATTUNE_PORTABLE_KERNELS": "1", "ATTUNE_TEST_CHILD": "portable-kernels"]) { $1 }
        let output = Pipe()
        child.standardOutput = output
        child.standardError = output
        try child.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("Executed 1 test, with 0 failures"), text)
        // Unforced, this process takes the best path the CPU has (the environment is unset here).
        if environment["ATTUNE_PORTABLE_KERNELS"].map({ $0.isEmpty || $0 == "0" }) ?? true {
            attune_kernel_force_path(-1)
            var info = attune_cpu_info()
            attune_cpu_query(&info)
            XCTAssertEqual(attune_quant_is_vectorized(), info.avx2 == 1 && info.fma == 1 && info.f16c == 1 ? 1 : 0)
        }
    }

    /// Every path this CPU has, portable first (AVX2, and AVX-512 with VNNI where the CPU has them).
    func allPaths() -> [Int32] {
        (Int32(ATTUNE_PATH_PORTABLE)...attune_kernel_best_path()).map { $0 }
    }

    /// Quantization, the one-row dots, the matrix-vector and the several-rows products give the
    /// same bits on every path the CPU has (portable, AVX2, AVX-512 VNNI), for block counts from 0
    /// up, row counts that are and are not multiples of the vector kernels' four, blocks of very
    /// different scales (zero, tiny enough that 32767 / max overflows, large enough that the sum
    /// overflows), extreme codes (±32767 activations against the largest weight codes of either
    /// sign) and any weight alignment.
    func testEveryPathGivesTheSameBits() throws {
        let paths = allPaths()
        guard paths.count > 1 else { return }
        var rng = RandomGenerator(seed: 77)
        let sizes: [GGMLType: Int] = [.q8_0: 34, .q4_0: 18, .q4_1: 20]
        let scales: [Float] = [1, 0, 40, 1e-3, 1e-36, .leastNormalMagnitude * 0x1p-10, 3e37]
        for trial in 0..<150 {
            let blocks = trial < 30 ? trial : 1 + rng.nextInt(below: 80)
            let rows = 1 + rng.nextInt(below: 11)
            let acts = 1 + rng.nextInt(below: 6)
            // Trials 1, 6, 11, …: every activation ±max (codes ±32767) and every weight code extreme.
            let extreme = trial % 5 == 1
            let x = (0..<(acts * blocks * 32)).map { i -> Float in
                if extreme { return i % 3 == 0 ? -2.5 : 2.5 }
                let scale = trial % 4 == 0 ? scales[(i / 32) % scales.count] : 1
                return rng.uniform(-1, 1) * scale
            }
            let count = max(acts * blocks, 1) * Int(ATTUNE_ACT16_BLOCK_BYTES)
            var quantized = [[UInt8]]()
            for path in paths {
                attune_kernel_force_path(path)
                var raw = [UInt8](repeating: 0xAB, count: count)
                x.withUnsafeBufferPointer { src in raw.withUnsafeMutableBytes { attune_quantize_act16(src.baseAddress!, acts * blocks, $0.baseAddress!) } }
                quantized.append(raw)
            }
            for q in quantized.dropFirst() { XCTAssertEqual(q, quantized[0], "quantization of \(blocks) blocks, trial \(trial)") }
            for type in [GGMLType.q8_0, .q4_0, .q4_1] {
                let size = sizes[type]!, offset = rng.nextInt(below: 16)
                var weights = (0..<(offset + rows * blocks * size)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if extreme {  // Q8_0: −128 or 127; Q4_0/Q4_1: nibbles 0 or 15 (codes −8/7, 0/15)
                    let code: UInt8 = type == .q8_0 ? (trial % 2 == 0 ? 0x80 : 0x7F) : (trial % 2 == 0 ? 0xFF : 0x00)
                    for i in offset..<weights.count { weights[i] = code }
                }
                for b in 0..<(rows * blocks) {  // finite half scales (and minimums) of either sign
                    for field in 0..<(type == .q4_1 ? 2 : 1) {
                        let half = UInt16(rng.nextInt(below: 2) << 15 | (1 + rng.nextInt(below: 22)) << 10 | rng.nextInt(below: 1024))
                        weights[offset + b * size + 2 * field] = UInt8(half & 0xFF)
                        weights[offset + b * size + 2 * field + 1] = UInt8(half >> 8)
                    }
                }
                var results = [[UInt32]]()
                for path in paths {
                    attune_kernel_force_path(path)
                    // rows matrix-vector results, the one-row dot, then acts × rows several-rows results.
                    var y = [Float](repeating: .nan, count: rows + 1 + acts * rows)
                    weights.withUnsafeBytes { wraw in
                        quantized[0].withUnsafeBytes { a in
                            y.withUnsafeMutableBufferPointer { out in
                                let w = wraw.baseAddress! + offset, rowBytes = blocks * size, many = out.baseAddress! + rows + 1
                                switch type {
                                case .q8_0: attune_matvec_q8_0_act16(w, rowBytes, rows, a.baseAddress!, blocks, out.baseAddress!)
                                            out[rows] = attune_dot_q8_0_act16(w, a.baseAddress!, blocks)
                                            attune_matmul_q8_0_act16(w, rowBytes, rows, a.baseAddress!, acts, blocks, many, rows)
                                case .q4_0: attune_matvec_q4_0_act16(w, rowBytes, rows, a.baseAddress!, blocks, out.baseAddress!)
                                            out[rows] = attune_dot_q4_0_act16(w, a.baseAddress!, blocks)
                                            attune_matmul_q4_0_act16(w, rowBytes, rows, a.baseAddress!, acts, blocks, many, rows)
                                default: attune_matvec_q4_1_act16(w, rowBytes, rows, a.baseAddress!, blocks, out.baseAddress!)
                                         out[rows] = attune_dot_q4_1_act16(w, a.baseAddress!, blocks)
                                         attune_matmul_q4_1_act16(w, rowBytes, rows, a.baseAddress!, acts, blocks, many, rows)
                                }
                            }
                        }
                    }
                    XCTAssertEqual(y[0].bitPattern, y[rows].bitPattern, "\(type): row 0 of the product is the one-row dot, path \(path)")
                    XCTAssertEqual(Array(y[0..<rows]).map(\.bitPattern), Array(y[(rows + 1)..<(2 * rows + 1)]).map(\.bitPattern),
                                   "\(type): activation row 0 of the several-rows product is the matrix-vector product, path \(path)")
                    // NaN (a block whose sum overflowed) compares as one value: its sign may differ.
                    results.append(y.map { $0.isNaN ? Float.nan.bitPattern : $0.bitPattern })
                }
                for (path, result) in zip(paths, results).dropFirst() {
                    XCTAssertEqual(result, results[0], "\(type) dots over \(blocks) blocks, \(rows) rows, \(acts) activation rows, trial \(trial): path \(path) against portable")
                }
            }
        }
    }

    /// The AVX-512 path of the dots is taken exactly when the CPU has AVX-512 F, BW, VL and VNNI
    /// and the path allows AVX-512; forcing AVX2 or portable turns it off.
    func testTheVNNIPathIsChosenByTheCPUAndTheForcedPath() {
        var info = attune_cpu_info()
        attune_cpu_query(&info)
        let hasVNNI = info.avx512f == 1 && info.avx512bw == 1 && info.avx512vl == 1 && info.avx512vnni == 1
        attune_kernel_force_path(-1)
        let unforced = attune_kernel_path() >= Int32(ATTUNE_PATH_AVX512)
        XCTAssertEqual(attune_act16_vnni_enabled() == 1, hasVNNI && unforced)
        attune_kernel_force_path(Int32(ATTUNE_PATH_AVX2))
        XCTAssertEqual(attune_act16_vnni_enabled(), 0)
        attune_kernel_force_path(Int32(ATTUNE_PATH_PORTABLE))
        XCTAssertEqual(attune_act16_vnni_enabled(), 0)
    }
}
