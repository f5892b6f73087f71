import Models
import TensorCore
import XCTest
@testable import Training

/// LoRA over quantized bases (NF4 with and without double quantization, GGUF Q8_0 / Q4_1) computes
/// exactly what LoRA over the dequantized dense weight computes, and only A and B get gradients.
final class QuantizedBaseLoRATests: XCTestCase {
    let (outF, inF, rank) = (48, 128, 4)

    func denseValues(seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<(outF * inF)).map { _ in Float(rng.normal()) * 0.05 }
    }

    /// Runs forward and backward of LoRA over `base`, and over a dense copy of its dequantized
    /// weight, with the same A, B, x and output weights; compares everything.
    func check(base: DenseWeightLinear, label: String) throws {
        var rng = RandomGenerator(seed: 42)
        let dense = DenseLinear(weight: base.denseWeight())
        let aValues = (0..<(rank * inF)).map { _ in rng.uniform(-0.1, 0.1) }
        let bValues = (0..<(outF * rank)).map { _ in rng.uniform(-0.1, 0.1) }
        let xValues = (0..<(3 * 5 * inF)).map { _ in rng.uniform(-1, 1) }
        let rValues = (0..<(3 * 5 * outF)).map { _ in rng.uniform(-1, 1) }
        func run(_ baseLayer: LinearLayer) throws -> (y: [Float], dx: [Float], dA: [Float], dB: [Float]) {
            let a = try Tensor(shape: [rank, inF], values: aValues, requiresGrad: true)
            let b = try Tensor(shape: [outF, rank], values: bValues, requiresGrad: true)
            let x = try Tensor(shape: [3, 5, inF], values: xValues, requiresGrad: true)
            let layer = LoRALinear(base: baseLayer, a: a, b: b, scale: 2)
            let tape = Tape()
            let y = layer.forward(x, tape: tape)
            XCTAssertEqual(y.shape, [3, 5, outF])
            tape.backward(from: tape.sum(tape.mul(y, try Tensor(shape: y.shape, values: rValues))))
            return (y.values, x.grad!.values, a.grad!.values, b.grad!.values)
        }
        let q = try run(base), d = try run(dense)
        XCTAssertEqual(q.y, d.y, "\(label) forward")
        XCTAssertEqual(q.dx, d.dx, "\(label) input gradient")
        XCTAssertEqual(q.dA, d.dA, "\(label) dA")
        XCTAssertEqual(q.dB, d.dB, "\(label) dB")
        XCTAssertTrue(q.dA.contains { $0 != 0 } && q.dB.contains { $0 != 0 })
    }

    func testNF4BaseWithAndWithoutDoubleQuantization() throws {
        let values = denseValues(seed: 1)
        let weight = try Tensor(shape: [outF, inF], values: values)
        for doubleQuant in [false, true] {
            let nf4 = NF4Linear(quantizing: weight, doubleQuant: doubleQuant)
            // The on-the-fly dequantization is TensorCore's NF4 dequantization.
            XCTAssertEqual(nf4.denseWeight().values, nf4.weight.dequantized())
            let error = absoluteError(nf4.denseWeight().values, values)
            // Half the widest gap between codes (−1 … −0.696) times the largest block absmax.
            XCTAssertLessThan(error, 0.153 * values.map { abs($0) }.max()!, "NF4 rounding error")
            try check(base: nf4, label: "NF4 dq=\(doubleQuant)")
        }
    }

    func testGGUFBases() throws {
        let values = denseValues(seed: 2)
        for type in [GGMLType.q8_0, .q4_1, .q4_0] {
            let matrix = try QuantizedMatrix(quantizing: values, rows: outF, cols: inF, type: type)
            let layer = QuantizedLinear(weight: matrix)
            XCTAssertEqual(layer.denseWeight().values, matrix.dequantized())
            try check(base: layer, label: "\(type)")
        }
    }

    func testQLoRAOnTheTinyModelTrainsOnlyTheAdapter() throws {
        let model = try LlamaModel.loadHuggingFace(folder: ReferenceFixtures.url("tiny-llama/model"))
        let bytes = QuantizedBase.quantizeToNF4(model, doubleQuant: true)
        XCTAssertEqual(model.linears.values.filter { $0 is NF4Linear }.count, 14)
        let weights = model.config.parameterShapes.filter { $0.name.hasSuffix("_proj.weight") }.reduce(0) { $0 + $1.shape.reduce(1, *) }
        XCTAssertLessThan(Double(bytes), Double(weights) * 4.2 / 8, "≈ 4.127 bits per weight")
        let adapter = try LoRAApplier.apply(LoRAConfiguration(rank: 4, alpha: 8, targets: .allLinear, seed: 1), to: model)
        for (_, layer) in adapter.layers { for i in 0..<layer.b.count { layer.b[flat: i] = 0.01 * Float(i % 5 - 2) } }
        let ids: [Int32] = (0..<32).map { Int32(($0 * 37) % 256) }
        let tape = Tape()
        let (loss, _, _) = model.loss(tokens: ids, labels: ids, batch: 2, tape: tape)
        tape.backward(from: loss)
        XCTAssertTrue(loss[flat: 0].isFinite)
        XCTAssertTrue(model.parameters.tensors.allSatisfy { $0.grad == nil })
        XCTAssertTrue(adapter.parameters.tensors.allSatisfy { $0.grad!.values.contains { $0 != 0 } })
        // Merging folds the update into the dequantized weight: same logits (1e-5).
        let before = model.logits(tokens: ids, batch: 2, tape: Tape(recording: false)).values
        adapter.merge(into: model)
        let after = model.logits(tokens: ids, batch: 2, tape: Tape(recording: false)).values
        XCTAssertLessThanOrEqual(absoluteError(after, before), 1e-5)
    }
}
