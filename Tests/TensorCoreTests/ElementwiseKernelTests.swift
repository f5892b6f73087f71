import XCTest
@testable import TensorCore

final class ElementwiseKernelTests: XCTestCase {
    func run(_ op: String, a: [Double], b: [Double]) -> [Double] {
        let ab = Buffer(a), bb = Buffer(b), y = Buffer(repeating: 0.0, count: a.count)
        if op == "add" { ElementwiseKernel.addForward(ab.pointer, bb.pointer, y.pointer, count: a.count, bCount: b.count) }
        else { ElementwiseKernel.mulForward(ab.pointer, bb.pointer, y.pointer, count: a.count, bCount: b.count) }
        return y.array
    }

    func testForwardSameShapeAndRowBroadcast() {
        let a = [1.0, 2, 3, 4, 5, 6]
        XCTAssertEqual(run("add", a: a, b: [10, 20, 30, 40, 50, 60]), [11, 22, 33, 44, 55, 66])
        XCTAssertEqual(run("add", a: a, b: [10, 20, 30]), [11, 22, 33, 14, 25, 36])
        XCTAssertEqual(run("mul", a: a, b: [2, 0, -1]), [2, 0, -3, 8, 0, -6])
    }

    func testGradientsOfAddAndMulWithBroadcast() {
        for op in ["add", "mul"] {
            for bCount in [15, 5, 1] {
                assertGradients([randomDoubles(15, seed: 1), randomDoubles(bCount, seed: 2)], forward: { x in
                    self.run(op, a: x[0], b: x[1])
                }, backward: { dy, x in
                    let g = Buffer(dy), a = Buffer(x[0]), b = Buffer(x[1])
                    let da = Buffer(repeating: 0.0, count: 15), db = Buffer(repeating: 0.0, count: bCount)
                    if op == "add" { ElementwiseKernel.addBackward(g.pointer, da: da.pointer, db: db.pointer, count: 15, bCount: bCount) }
                    else { ElementwiseKernel.mulBackward(g.pointer, a: a.pointer, b: b.pointer, da: da.pointer, db: db.pointer, count: 15, bCount: bCount) }
                    return [da.array, db.array]
                })
            }
        }
    }

    func testScaleForwardAndGradient() {
        let x = randomDoubles(7, seed: 3)
        func forward(_ xs: [[Double]]) -> [Double] {
            let xb = Buffer(xs[0]), y = Buffer(repeating: 0.0, count: 7)
            ElementwiseKernel.scaleForward(xb.pointer, y.pointer, count: 7, scale: -2.5)
            return y.array
        }
        XCTAssertEqual(forward([x]), x.map { -2.5 * $0 })
        assertGradients([x], forward: forward) { dy, _ in
            let g = Buffer(dy), dx = Buffer(repeating: 0.0, count: 7)
            ElementwiseKernel.scaleBackward(g.pointer, dx: dx.pointer, count: 7, scale: -2.5)
            return [dx.array]
        }
    }

    func testTapeAddRejectsIncompatibleShapesByValue() throws {
        XCTAssertThrowsError(try Tensor(shape: [2, 3], values: [1, 2])) { error in
            XCTAssertEqual(error as? TensorError, .valueCount(expected: 6, got: 2, shape: [2, 3]))
            XCTAssertEqual("\(error)", "shape [2, 3] holds 6 values, got 2")
        }
        XCTAssertThrowsError(try Tensor(shape: [2, -1], values: []))
    }
}

final class VectorMathTests: XCTestCase {
    func testDotMatchesASerialSumForEveryTailLength() {
        for n in [0, 1, 7, 15, 16, 17, 33, 576] {
            let a = randomDoubles(n, seed: 1).map(Float.init), b = randomDoubles(n, seed: 2).map(Float.init)
            let expected = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let got = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
                VectorMath.dot(pa.baseAddress ?? UnsafePointer(bitPattern: 8)!, pb.baseAddress ?? UnsafePointer(bitPattern: 8)!, count: n)
            } }
            XCTAssertEqual(Double(got), expected, accuracy: 1e-4, "n = \(n)")
        }
    }
}
