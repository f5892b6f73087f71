import TensorCore
import XCTest
@testable import Models

/// `SharedInputProjections` (q, k, v or gate, up decoded together) against each layer's own
/// `forward`: the same bits, for every integer-dot weight type, one row, a decoding batch and a
/// prompt's integer prefill, plain and LoRA-wrapped layers; and the products within the
/// activations' rounding of float.
final class SharedInputProjectionsTests: XCTestCase {
    func quantized(_ rows: Int, _ cols: Int, _ type: GGMLType, seed: UInt64) throws -> QuantizedLinear {
        var rng = RandomGenerator(seed: seed)
        let values = (0..<(rows * cols)).map { _ in rng.uniform(-0.5, 0.5) }
        return QuantizedLinear(weight: try QuantizedMatrix(quantizing: values, rows: rows, cols: cols, type: type))
    }

    func input(rows: Int, cols: Int, seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return try! Tensor(shape: [rows, cols], values: (0..<(rows * cols)).map { _ in rng.uniform(-2, 2) })
    }

    /// Three layers of 96, 40 and 200 outputs (pieces that straddle the layers' boundaries) on 128
    /// inputs: decoding's row-by-row dots (1 and 3 rows, a batch of 7 independent rows) and
    /// generation's integer prefill (7 and 21 prompt rows, `Tape.integerPrefill`).
    func testTogetherGivesEachLayersOwnBits() throws {
        for type in [GGMLType.q4_1, .q4_0, .q8_0] {
            let layers = try [96, 40, 200].enumerated().map { try quantized($1, 128, type, seed: UInt64(10 + $0)) }
            for (rows, prefill) in [(1, false), (3, false), (7, false), (7, true), (21, true)] {
                let x = input(rows: rows, cols: 128, seed: UInt64(rows))
                let tape = Tape(recording: false)
                tape.independentRows = rows > QuantizedLinear.rowwiseLimit && !prefill
                tape.integerPrefill = prefill
                let together = SharedInputProjections.forward(layers, x, tape: tape)
                for (l, layer) in layers.enumerated() {
                    let alone = layer.forward(x, tape: tape)
                    XCTAssertEqual(together[l].shape, [rows, layer.outFeatures])
                    XCTAssertEqual(together[l].values.map(\.bitPattern), alone.values.map(\.bitPattern), "\(type), \(rows) rows, layer \(l)")
                    if prefill {
                        XCTAssertEqual(alone.values.map(\.bitPattern), layer.integerPrefill(x).values.map(\.bitPattern), "the integer prefill ran")
                    }
                    // And the integer dots are the float product within the activations' rounding:
                    // |a − d·q| ≤ d/2 per element, d = the block's max |a| / 32767.
                    let w = layer.denseWeight().values, a = x.values
                    for i in 0..<rows {
                        let half = (0..<128).map { j in (a[(i * 128 + j / 32 * 32)..<(i * 128 + j / 32 * 32 + 32)].map(abs).max()!) / 65534 }
                        for r in 0..<layer.outFeatures {
                            let exact = (0..<128).reduce(0.0) { $0 + Double(a[i * 128 + $1]) * Double(w[r * 128 + $1]) }
                            let bound = (0..<128).reduce(0.0) { $0 + Double(abs(w[r * 128 + $1]) * half[$1]) + 1e-6 * Double(abs(a[i * 128 + $1] * w[r * 128 + $1])) }
                            XCTAssertEqual(Double(together[l].values[i * layer.outFeatures + r]), exact, accuracy: bound,
                                           "\(type), row \(i), output \(r)")
                        }
                    }
                }
            }
        }
    }

    func testLoRAWrappedLayersAddTheirUpdateAsForwardDoes() throws {
        var generator = RandomGenerator(seed: 3)
        let bases = try [64, 32].map { try quantized($0, 64, .q4_1, seed: UInt64($0)) }
        let q = LoRALinear(base: bases[0], rank: 4, alpha: 8, generator: &generator)
        for i in 0..<q.b.count { q.b.pointer[i] = generator.uniform(-0.1, 0.1) }
        q.isTraining = false
        let layers: [LinearLayer] = [q, bases[1]]
        for (rows, prefill) in [(1, false), (9, true)] {  // decoding; a prompt's integer prefill
            let x = input(rows: rows, cols: 64, seed: 9)
            let tape = Tape(recording: false)
            tape.integerPrefill = prefill
            let together = SharedInputProjections.forward(layers, x, tape: tape)
            for (l, layer) in layers.enumerated() {
                XCTAssertEqual(together[l].values.map(\.bitPattern), layer.forward(x, tape: tape).values.map(\.bitPattern), "layer \(l), \(rows) rows")
            }
            XCTAssertNotEqual(together[0].values, bases[0].forward(x, tape: tape).values, "the adapter's update was not added")
        }
    }

    /// A training forward (the input needs a gradient) or a layer with dropout runs layer by layer,
    /// drawing dropout masks in the layers' order, and records the products for backward.
    func testGradientsAndDropoutRunLayerByLayer() throws {
        var generator = RandomGenerator(seed: 4)
        let base = try quantized(32, 64, .q4_1, seed: 1)
        let lora = LoRALinear(base: base, rank: 2, alpha: 4, dropout: 0.5, generator: &generator)
        let copy = LoRALinear(base: base, a: lora.a, b: lora.b, scale: lora.scale, dropout: 0.5, dropoutGenerator: lora.dropoutGenerator)
        let x = input(rows: 1, cols: 64, seed: 2)
        let together = SharedInputProjections.forward([lora, base], x, tape: Tape(recording: false))
        XCTAssertEqual(together[0].values, copy.forward(x, tape: Tape(recording: false)).values, "dropout drew another mask")
        let tape = Tape()
        let xg = try Tensor(shape: [1, 64], values: x.values, requiresGrad: true)
        let outputs = SharedInputProjections.forward([base, base], xg, tape: tape)
        tape.backward(from: tape.sum(tape.add(outputs[0], outputs[1])))
        XCTAssertNotNil(xg.grad, "the products were not recorded")
    }
}
