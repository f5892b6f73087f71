import CKernels
import XCTest
@testable import TensorCore

/// `Tape.addLinear(into: y, x, W)` (LoRA's update added into its base output in place) must give
/// the bits of `add(y, linear(x, W))` — output and every gradient (`y`, `x`, `W`) — on every vector
/// path, at ranks that fill part of a GEMM K block, exactly one, and more than one (where it falls
/// back to the unfused path), for widths that are not multiples of any tile, and with a frozen
/// weight in `bf16` numerics.
final class AddLinearTests: XCTestCase {
    struct Run { var z: [UInt32]; var dy: [UInt32]; var dx: [UInt32]; var dw: [UInt32]; var sameTensor: Bool }

    func run(fused: Bool, rows: Int, rank: Int, out: Int, trainableWeight: Bool, seed: UInt64) -> Run {
        let tape = Tape()
        let values = { (count: Int, s: UInt64) in randomDoubles(count, seed: s).map(Float.init) }
        let y = try! Tensor(shape: [rows, out], values: values(rows * out, seed), requiresGrad: true)
        let x = try! Tensor(shape: [rows, rank], values: values(rows * rank, seed + 1), requiresGrad: true)
        let w = try! Tensor(shape: [out, rank], values: values(out * rank, seed + 2), requiresGrad: trainableWeight)
        // y enters as an operation's output, as a base projection's does (its step releases y's gradient).
        let base = tape.scale(y, 1)
        let z = fused ? tape.addLinear(into: base, x, w) : tape.add(base, tape.linear(x, w))
        let g = try! Tensor(shape: [rows, out], values: values(rows * out, seed + 3))
        let zBits = z.values.map(\.bitPattern)
        tape.backward(from: z, gradient: g)
        return Run(z: zBits, dy: y.grad?.values.map(\.bitPattern) ?? [], dx: x.grad?.values.map(\.bitPattern) ?? [],
                   dw: w.grad?.values.map(\.bitPattern) ?? [], sameTensor: z === base)
    }

    func testFusedHasTheBitsOfAddAndLinearOnEveryPath() {
        guard Numerics.mode.isReproducible else { return }
        defer { attune_kernel_force_path(-1) }
        let best = Int32(attune_kernel_best_path())
        let paths = [Int32(ATTUNE_PATH_PORTABLE), Int32(ATTUNE_PATH_AVX2), Int32(ATTUNE_PATH_AVX512)].filter { $0 <= best }
        let shapes = [(rows: 37, rank: 1, out: 5), (rows: 64, rank: 16, out: 100), (rows: 13, rank: 256, out: 33), (rows: 29, rank: 300, out: 48)]
        for path in paths {
            attune_kernel_force_path(path)
            for mode in [NumericsMode.reproducible, .bf16] {
                Numerics.with(mode) {
                    for (i, s) in shapes.enumerated() {
                        for trainable in [true, false] {
                            let label = "path \(path), \(mode), \(s), weight \(trainable ? "trainable" : "frozen")"
                            let fused = run(fused: true, rows: s.rows, rank: s.rank, out: s.out, trainableWeight: trainable, seed: UInt64(100 * i))
                            let plain = run(fused: false, rows: s.rows, rank: s.rank, out: s.out, trainableWeight: trainable, seed: UInt64(100 * i))
                            XCTAssertEqual(fused.z, plain.z, "output, \(label)")
                            XCTAssertEqual(fused.dy, plain.dy, "dy, \(label)")
                            XCTAssertEqual(fused.dx, plain.dx, "dx, \(label)")
                            XCTAssertEqual(fused.dw, plain.dw, "dW, \(label)")
                            XCTAssertFalse(fused.dy.isEmpty || fused.dx.isEmpty, "gradients missing, \(label)")
                            XCTAssertEqual(fused.dw.isEmpty, !trainable, "dW, \(label)")
                            // In place up to one K block; a wider rank returns a new tensor.
                            XCTAssertEqual(fused.sameTensor, s.rank <= Int(ATTUNE_GEMM_KC), "in place, \(label)")
                        }
                    }
                }
            }
        }
    }
}
