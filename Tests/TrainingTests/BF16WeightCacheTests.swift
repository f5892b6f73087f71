import Models
import TensorCore
import XCTest
@testable import Models

/// In `bf16` numerics a GGUF-block base keeps its weight packed for the bf16 GEMM after the first
/// product (`QuantizedLinear.bf16Cache`): forward and the input gradient must be the bits of the
/// per-product path (dequantize, round, pack every time), on every bf16 path, and a packing made
/// on one path must not serve another.
final class BF16WeightCacheTests: XCTestCase {
    override func tearDown() { Numerics.forceKernelPath(nil) }

    struct Run { var y: [UInt32]; var dx: [UInt32] }

    /// Forward and backward of `layer` (cached) or of the same weight through the uncached product.
    func run(_ layer: QuantizedLinear, cached: Bool, x values: [Float], rows: Int, seedGradient g: [Float]) throws -> Run {
        let x = try Tensor(shape: [rows, layer.inFeatures], values: values, requiresGrad: true)
        let tape = Tape()
        let y = cached ? layer.forward(x, tape: tape)
            : frozenProjection(x, outFeatures: layer.outFeatures, tape: tape) { layer.dequantize(into: $0) }
        tape.backward(from: y, gradient: try Tensor(shape: y.shape, values: g))
        return Run(y: y.values.map(\.bitPattern), dx: x.grad!.values.map(\.bitPattern))
    }

    func testCachedPackingGivesThePerProductBitsOnEveryPath() throws {
        var rng = RandomGenerator(seed: 7)
        let (out, inputs, rows) = (100, 288, 37)  // 100: not a multiple of any panel; 288: two K blocks
        let weights = (0..<(out * inputs)).map { _ in Float(rng.normal()) * 0.05 }
        let x = (0..<(rows * inputs)).map { _ in Float(rng.normal()) }
        let g = (0..<(rows * out)).map { _ in Float(rng.normal()) }
        let paths = Numerics.KernelPath.allCases.filter { $0 <= .best }
        for type in [GGMLType.q4_1, .q8_0] {
            let layer = QuantizedLinear(weight: try QuantizedMatrix(quantizing: weights, rows: out, cols: inputs, type: type))
            try Numerics.with(.reproducible) {
                _ = try run(layer, cached: true, x: x, rows: rows, seedGradient: g)
                XCTAssertNil(layer.bf16Cache.current, "fp32 numerics packs nothing")
            }
            var packedPaths: Set<Int32> = []
            for path in paths {
                Numerics.forceKernelPath(path)
                try Numerics.with(.bf16) {
                    let reference = try run(layer, cached: false, x: x, rows: rows, seedGradient: g)
                    let first = try run(layer, cached: true, x: x, rows: rows, seedGradient: g)    // packs
                    let second = try run(layer, cached: true, x: x, rows: rows, seedGradient: g)   // reuses
                    let packing = try XCTUnwrap(layer.bf16Cache.current)
                    XCTAssertTrue(packing.isCurrent)
                    packedPaths.insert(packing.path)
                    for (label, cached) in [("first", first), ("second", second)] {
                        XCTAssertEqual(cached.y, reference.y, "\(type) \(path) \(label): forward")
                        XCTAssertEqual(cached.dx, reference.dx, "\(type) \(path) \(label): input gradient")
                    }
                }
            }
            // Each bf16 path this CPU runs got its own packing (the stale one was replaced).
            XCTAssertEqual(packedPaths.count, Set(paths.map { $0 >= .avx512 && Numerics.BF16Path.best == .avx512bf16 ? 1 : 0 }).count)
        }
    }
}

/// A GGUF-block output head in `bf16` numerics goes through its packing too; the loss and the
/// gradients must be those of the head expanded to float32 (the path a dense head takes).
final class BF16QuantizedHeadTests: XCTestCase {
    func testQuantizedHeadGivesTheBitsOfTheExpandedHead() throws {
        func model(quantizedHead: Bool) throws -> (LlamaModel, [Tensor]) {
            let model = try LlamaModel.loadHuggingFace(folder: ReferenceFixtures.url("tiny-llama/model"))
            let head = (model.outputHead as! DenseWeightLinear).denseWeight()
            let q = try QuantizedMatrix(quantizing: head.values, rows: head.rows, cols: head.columns, type: .q8_0)
            model.outputHead = quantizedHead ? QuantizedLinear(weight: q) : DenseLinear(weight: try Tensor(shape: head.shape, values: q.dequantized()))
            model.lossChunkRows = 5  // several chunks and a short last one (32 rows)
            for tensor in model.parameters.tensors { tensor.requiresGrad = false }
            let norm = try XCTUnwrap(model.parameters.tensors.first { $0.name.hasSuffix("model.norm.weight") })
            norm.requiresGrad = true  // its gradient carries the head's input gradient
            return (model, [norm])
        }
        let ids: [Int32] = (0..<32).map { Int32(($0 * 37) % 256) }
        var results: [(loss: UInt32, grads: [[UInt32]])] = []
        for quantizedHead in [true, false] {
            let (model, trainable) = try model(quantizedHead: quantizedHead)
            try Numerics.with(.bf16) {
                for _ in 0..<2 {  // the second step reuses the packing
                    for t in trainable { t.zeroGrad() }
                    let tape = Tape()
                    let (loss, _) = model.trainingLoss(tokens: ids, labels: ids, batch: 2, tape: tape)
                    tape.backward(from: loss)
                    results.append((loss[flat: 0].bitPattern, trainable.map { $0.grad!.values.map(\.bitPattern) }))
                }
            }
            if quantizedHead { XCTAssertNotNil((model.outputHead as! QuantizedLinear).bf16Cache.current) }
        }
        XCTAssertEqual(results[0].loss, results[2].loss)
        XCTAssertEqual(results[1].loss, results[3].loss)
        XCTAssertEqual(results[0].grads, results[2].grads)
        XCTAssertEqual(results[1].grads, results[3].grads)
        XCTAssertTrue(results[0].grads[0].contains { $0 != 0 })
    }
}
