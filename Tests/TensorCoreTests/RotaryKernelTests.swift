import XCTest
@testable import TensorCore

final class RotaryKernelTests: XCTestCase {
    let (b, t, h, d) = (2, 3, 3, 8)

    func apply(_ x: [Double], layout: RotaryLayout, positions: [Int]) -> [Double] {
        let table = RotaryKernel.Table<Double>(positions: positions, headDim: d, base: 10000)
        let xb = Buffer(x), y = Buffer(repeating: 0.0, count: x.count)
        RotaryKernel.apply(xb.pointer, y.pointer, table: table, batch: x.count / (positions.count * h * d), tokens: positions.count, heads: h, layout: layout)
        return y.array
    }

    func testTableMatchesTheFrequencyFormula() {
        let table = RotaryKernel.Table<Float>(positions: [0, 1, 7, 255], headDim: 64, base: 100_000)
        for (ti, pos) in [0, 1, 7, 255].enumerated() {
            for p in 0..<32 {
                let angle = Double(pos) * Foundation.pow(100_000, -Double(2 * p) / 64)
                XCTAssertEqual(Double(table.cos[ti * 32 + p]), Foundation.cos(angle), accuracy: 2e-4 * max(1, Double(pos) / 64))
                XCTAssertEqual(Double(table.sin[ti * 32 + p]), Foundation.sin(angle), accuracy: 2e-4 * max(1, Double(pos) / 64))
            }
        }
    }

    func testRotateHalfAndInterleavedForwardMatchFormula() {
        let x = randomDoubles(b * t * h * d, seed: 1)
        let positions = [0, 1, 5]
        let table = RotaryKernel.Table<Double>(positions: positions, headDim: d, base: 10000)
        for layout in [RotaryLayout.half, .interleaved] {
            let y = apply(x, layout: layout, positions: positions)
            for bt in 0..<(b * t) { for head in 0..<h { for p in 0..<(d / 2) {
                let base = (bt * h + head) * d
                let (i1, i2) = layout == .half ? (p, p + d / 2) : (2 * p, 2 * p + 1)
                let c = table.cos[(bt % t) * d / 2 + p], s = table.sin[(bt % t) * d / 2 + p]
                XCTAssertEqual(y[base + i1], x[base + i1] * c - x[base + i2] * s, accuracy: 1e-14)
                XCTAssertEqual(y[base + i2], x[base + i2] * c + x[base + i1] * s, accuracy: 1e-14)
            } } }
            // Position 0 is the identity.
            XCTAssertEqual(Array(y[0..<(h * d)]), Array(x[0..<(h * d)]))
        }
    }

    /// llama.cpp's converter permutes Q/K rows within each head so that interleaved rotary on
    /// the permuted rows equals rotate-half on the original rows: row `2i + j` ← row `j·D/2 + i`.
    func testInterleavedOnPermutedRowsEqualsRotateHalf() {
        let x = randomDoubles(b * t * h * d, seed: 2)
        func permute(_ v: [Double]) -> [Double] {
            var out = v
            for head in 0..<(v.count / d) { for i in 0..<(d / 2) { for j in 0..<2 {
                out[head * d + 2 * i + j] = v[head * d + j * d / 2 + i]
            } } }
            return out
        }
        let positions = [3, 4, 9]
        assertClose(apply(permute(x), layout: .interleaved, positions: positions), permute(apply(x, layout: .half, positions: positions)), atol: 1e-14)
    }

    /// A per-token table (packed rows, positions restarting at each example) rotates each row
    /// exactly as a shared table of that row's positions does, forward and backward.
    func testPerTokenTableRotatesEachRowByItsOwnPositions() {
        let x = randomDoubles(b * t * h * d, seed: 4)
        let rowPositions = [[0, 1, 0], [2, 0, 1]]
        let table = RotaryKernel.Table<Double>(positions: rowPositions.flatMap { $0 }, headDim: d, base: 10000, perToken: true)
        let perRow = t * h * d
        for layout in [RotaryLayout.half, .interleaved] {
            let xb = Buffer(x), y = Buffer(repeating: 0.0, count: x.count), dx = Buffer(repeating: 0.0, count: x.count)
            RotaryKernel.apply(xb.pointer, y.pointer, table: table, batch: b, tokens: t, heads: h, layout: layout)
            RotaryKernel.backward(dy: xb.pointer, dx: dx.pointer, table: table, batch: b, tokens: t, heads: h, layout: layout)
            for (row, positions) in rowPositions.enumerated() {
                let own = RotaryKernel.Table<Double>(positions: positions, headDim: d, base: 10000)
                let xr = Buffer(Array(x[(row * perRow)..<((row + 1) * perRow)]))
                let yr = Buffer(repeating: 0.0, count: perRow), dxr = Buffer(repeating: 0.0, count: perRow)
                RotaryKernel.apply(xr.pointer, yr.pointer, table: own, batch: 1, tokens: t, heads: h, layout: layout)
                RotaryKernel.backward(dy: xr.pointer, dx: dxr.pointer, table: own, batch: 1, tokens: t, heads: h, layout: layout)
                XCTAssertEqual(Array(y.array[(row * perRow)..<((row + 1) * perRow)]), yr.array, "row \(row), \(layout)")
                XCTAssertEqual(Array(dx.array[(row * perRow)..<((row + 1) * perRow)]), dxr.array, "row \(row), \(layout)")
            }
            // Position 0 leaves a token as it is: row 0's token 2 restarts there.
            XCTAssertEqual(Array(y.array[(2 * h * d)..<(3 * h * d)]), Array(x[(2 * h * d)..<(3 * h * d)]))
        }
    }

    func testBackwardMatchesFiniteDifferences() {
        for layout in [RotaryLayout.half, .interleaved] {
            let positions = [2, 3, 4]
            assertGradients([randomDoubles(b * t * h * d, seed: 3)], forward: { self.apply($0[0], layout: layout, positions: positions) }) { dy, _ in
                let table = RotaryKernel.Table<Double>(positions: positions, headDim: self.d, base: 10000)
                let g = Buffer(dy), dx = Buffer(repeating: 0.0, count: dy.count)
                RotaryKernel.backward(dy: g.pointer, dx: dx.pointer, table: table, batch: self.b, tokens: self.t, heads: self.h, layout: layout)
                return [dx.array]
            }
        }
    }
}

import Foundation
