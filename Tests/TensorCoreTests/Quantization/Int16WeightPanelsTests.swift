import CKernels
import XCTest
@testable import TensorCore

/// Generation's prefill product (`Int16WeightPanels`, CKernels `act16_panels.c`): every path gives
/// the bits of its definition, evaluated here from the raw weight and activation blocks (exact
/// integer block dots, `fma(d_w·d_a, S_b, acc)` in block order, Q4_1's offsets added last), for
/// any number of activation rows and weight rows that do not fill a panel; and stays within the
/// activations' rounding bound of the float product.
final class Int16WeightPanelsTests: XCTestCase {
    override func tearDown() { attune_kernel_force_path(-1) }

    /// Every kernel path this CPU has (portable, AVX2, AVX-512 with VNNI where present).
    func paths() -> [Int32] {
        let best = attune_kernel_best_path()
        return [Int32(ATTUNE_PATH_PORTABLE), Int32(ATTUNE_PATH_AVX2), Int32(ATTUNE_PATH_AVX512)].filter { $0 <= best }
    }

    func weights(_ type: GGMLType, rows: Int, cols: Int, seed: UInt64) throws -> QuantizedMatrix {
        var rng = RandomGenerator(seed: seed)
        let values = (0..<(rows * cols)).map { i in Float(rng.normal()) * (i % 64 < 32 ? 0.03 : 0.8) + (i % 96 < 32 ? 0.2 : 0) }
        return try QuantizedMatrix(quantizing: values, rows: rows, cols: cols, type: type)
    }

    func activations(rows: Int, cols: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<(rows * cols)).map { i in
            if i / 32 == 1 { return 0 }  // one all-zero block
            return Float(rng.uniform(-1, 1)) * (i / 32 % 3 == 0 ? 40 : 0.01)
        }
    }

    /// The weight block b of row r as (d, m, codes): codes as the integers the definition multiplies.
    func block(_ w: QuantizedMatrix, row r: Int, block b: Int) -> (d: Float, m: Float, codes: [Int]) {
        let bytes = w.rowBytes(r)
        func half(_ offset: Int) -> Float { HalfFloat.toFloat(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))) }
        switch w.type {
        case .q8_0:
            let base = b * 34
            return (half(base), 0, (0..<32).map { Int(Int8(bitPattern: bytes[base + 2 + $0])) })
        case .q4_0:
            let base = b * 18
            return (half(base), 0, (0..<32).map { e in Int(e < 16 ? bytes[base + 2 + e] & 0xF : bytes[base + 2 + e - 16] >> 4) - 8 })
        default:
            let base = b * 20
            return (half(base), half(base + 2), (0..<32).map { e in Int(e < 16 ? bytes[base + 4 + e] & 0xF : bytes[base + 4 + e - 16] >> 4) })
        }
    }

    /// The activation blocks of one row as (d, sum, q), read from the quantized layout.
    func activationBlocks(_ x: ArraySlice<Float>) -> [(d: Float, sum: Float, q: [Int])] {
        let blocks = x.count / 32
        var raw = [UInt8](repeating: 0, count: blocks * Int(ATTUNE_ACT16_BLOCK_BYTES))
        Array(x).withUnsafeBufferPointer { src in raw.withUnsafeMutableBytes { attune_quantize_act16(src.baseAddress!, blocks, $0.baseAddress!) } }
        return raw.withUnsafeBytes { p in
            (0..<blocks).map { b in
                let base = b * Int(ATTUNE_ACT16_BLOCK_BYTES)
                return (p.loadUnaligned(fromByteOffset: base, as: Float.self), p.loadUnaligned(fromByteOffset: base + 4, as: Float.self),
                        (0..<32).map { Int(p.loadUnaligned(fromByteOffset: base + 8 + 2 * $0, as: Int16.self)) })
            }
        }
    }

    /// `y [m, n]` by the definition, in Swift.
    func definition(_ w: QuantizedMatrix, _ x: [Float], rows m: Int) -> [Float] {
        let (n, k) = (w.rows, w.cols)
        var y = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            let acts = activationBlocks(x[(i * k)..<((i + 1) * k)])
            for r in 0..<n {
                var acc: Float = 0, off: Float = 0
                for (b, a) in acts.enumerated() {
                    let wb = block(w, row: r, block: b)
                    let s = zip(wb.codes, a.q).reduce(0) { $0 + $1.0 * $1.1 }
                    acc = acc.addingProduct(wb.d * a.d, Float(s))
                    off = off.addingProduct(wb.m, a.sum)
                }
                y[i * n + r] = w.type == .q4_1 ? acc + off : acc
            }
        }
        return y
    }

    func product(_ w: QuantizedMatrix, _ x: [Float], rows m: Int) -> [Float] {
        let panels = Int16WeightPanels(w)
        let acts = x.withUnsafeBufferPointer { Int16Activations($0.baseAddress!, rows: m, columns: w.cols) }
        var y = [Float](repeating: .nan, count: m * w.rows)
        y.withUnsafeMutableBufferPointer { panels.multiply(acts, into: $0.baseAddress!, ldy: w.rows) }
        return y
    }

    func testEveryPathGivesTheDefinitionsBits() throws {
        for type in [GGMLType.q8_0, .q4_0, .q4_1] {
            for (n, k) in [(1, 32), (16, 64), (17, 96), (40, 160), (33, 32)] {
                let w = try weights(type, rows: n, cols: k, seed: UInt64(n * 31 + k))
                for m in [1, 2, 3, 4, 5, 9] {
                    let x = activations(rows: m, cols: k, seed: UInt64(m * 7 + k))
                    let expected = definition(w, x, rows: m)
                    for path in paths() {
                        attune_kernel_force_path(path)
                        XCTAssertEqual(product(w, x, rows: m).map(\.bitPattern), expected.map(\.bitPattern),
                                       "\(type) [\(n), \(k)], \(m) rows, path \(String(cString: attune_kernel_path_name(path)))")
                    }
                }
            }
        }
    }

    /// Against the float product `x · deq(W)ᵀ` in double: within the activations' rounding,
    /// Σ |w − m| · d_a / 2 over the row (Q4_1's offsets multiply the exact block sums), plus float
    /// rounding of the accumulation.
    func testWithinTheActivationRoundingBoundOfTheFloatProduct() throws {
        for type in [GGMLType.q8_0, .q4_0, .q4_1] {
            let (n, k, m) = (21, 576, 6)
            let w = try weights(type, rows: n, cols: k, seed: 5)
            let x = activations(rows: m, cols: k, seed: 6)
            let y = product(w, x, rows: m)
            for r in 0..<n {
                let deq = w.dequantizeRow(r)
                for i in 0..<m {
                    let acts = activationBlocks(x[(i * k)..<((i + 1) * k)])
                    var exact = 0.0, bound = 0.0, magnitude = 0.0
                    for j in 0..<k {
                        let wb = block(w, row: r, block: j / 32)
                        exact += Double(deq[j]) * Double(x[i * k + j])
                        bound += abs(Double(deq[j]) - Double(wb.m)) * Double(acts[j / 32].d) / 2
                        magnitude += abs(Double(deq[j]) * Double(x[i * k + j]))
                    }
                    XCTAssertEqual(Double(y[i * n + r]), exact, accuracy: bound * 1.0001 + 1e-5 * magnitude + 1e-6, "\(type) row \(r), input \(i)")
                }
            }
        }
    }

    func testNonFiniteActivationsGiveNaNOnlyInTheirRow() throws {
        let w = try weights(.q4_1, rows: 18, cols: 64, seed: 9)
        for path in paths() {
            attune_kernel_force_path(path)
            for bad in [Float.nan, .infinity] {
                var x = activations(rows: 5, cols: 64, seed: 10)
                x[2 * 64 + 40] = bad
                let y = product(w, x, rows: 5)
                for i in 0..<5 {
                    let row = y[(i * 18)..<((i + 1) * 18)]
                    XCTAssertEqual(row.allSatisfy(\.isNaN), i == 2, "\(bad) in input row 2; row \(i)")
                    XCTAssertEqual(row.contains(where: \.isNaN), i == 2)
                }
            }
        }
    }
}
