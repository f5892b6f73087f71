import CKernels

/// A few activation rows `[m, k]` quantized to 16 bits per block of 32, for integer dot products
/// with Q8_0/Q4_0/Q4_1 weight rows (the CKernels `quant_act16.c` kernels), as decoding needs.
///
/// Per block `d = max|a| / 32767`, `q = round(a / d)`; a dot then multiplies integer pairs instead
/// of converting each weight code to float. The price is the activation's rounding,
/// `|a − d·q| ≤ d/2` (1.5e-5 of the block's largest value), close to float32 arithmetic. Used only
/// where no gradient is needed and a few rows are multiplied (decoding), never for training.
public final class Int16Activations: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    /// Blocks of 32 in a row.
    public let blocksPerRow: Int
    private let buffer: UnsafeMutableRawPointer

    /// The weight types with an integer dot.
    public static func supports(_ type: GGMLType) -> Bool { [.q8_0, .q4_0, .q4_1].contains(type) }

    /// Quantizes `rows` rows of `columns` floats (a multiple of 32) starting at `x`.
    public init(_ x: UnsafePointer<Float>, rows: Int, columns: Int) {
        precondition(columns % 32 == 0, "Int16Activations: \(columns) columns are not a multiple of 32")
        self.rows = rows
        self.columns = columns
        blocksPerRow = columns / 32
        let bytes = max(rows * blocksPerRow * Int(ATTUNE_ACT16_BLOCK_BYTES), 1)
        buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        // Each row on its own (the same bits however the rows are split): many rows (a prompt)
        // over the pool's threads.
        let (source, target, blocks) = (UncheckedSendable(x), UncheckedSendable(buffer), blocksPerRow)
        parallelChunks(rows, minChunk: max(1, 4096 / columns)) { _, range in
            for i in range {
                attune_quantize_act16(source.value + i * columns, blocks, target.value + i * blocks * Int(ATTUNE_ACT16_BLOCK_BYTES))
            }
        }
    }

    deinit { buffer.deallocate() }

    /// The blocks of every row, consecutive (`attune_act16` layout, quant_act16.c).
    var blockStorage: UnsafeRawPointer { UnsafeRawPointer(buffer) }

    private func row(_ i: Int) -> UnsafeMutableRawPointer {
        buffer + i * blocksPerRow * Int(ATTUNE_ACT16_BLOCK_BYTES)
    }

    /// Row `i`'s blocks (`attune_act16` layout).
    func rowBlocks(_ i: Int) -> UnsafeRawPointer { UnsafeRawPointer(row(i)) }

    /// `y[r] = Σ deq(W[r])[j] · a[i, j]` for `rows` weight rows of `type` stored `rowBytes` apart
    /// from `weights`, each holding `columns` values.
    public func multiply(_ type: GGMLType, weights: UnsafeRawPointer, rowBytes: Int, rows: Int, row i: Int,
                         into y: UnsafeMutablePointer<Float>) {
        switch type {
        case .q8_0: attune_matvec_q8_0_act16(weights, rowBytes, rows, row(i), blocksPerRow, y)
        case .q4_0: attune_matvec_q4_0_act16(weights, rowBytes, rows, row(i), blocksPerRow, y)
        case .q4_1: attune_matvec_q4_1_act16(weights, rowBytes, rows, row(i), blocksPerRow, y)
        default: preconditionFailure("Int16Activations: no integer dot for \(type)")
        }
    }

    /// `y[i·ldy + r] = Σ deq(W[r])[j] · a[i, j]` for every activation row `i` and `rows` weight rows
    /// of `type` stored `rowBytes` apart from `weights`: each weight block is widened once for up to
    /// four activation rows (one pass over the weights for a decoding batch). Row `i`'s results
    /// have the bits `multiply(…, row: i, …)` gives it, whatever the number of rows.
    public func multiplyAllRows(_ type: GGMLType, weights: UnsafeRawPointer, rowBytes: Int, rows: Int,
                                into y: UnsafeMutablePointer<Float>, ldy: Int) {
        switch type {
        case .q8_0: attune_matmul_q8_0_act16(weights, rowBytes, rows, buffer, self.rows, blocksPerRow, y, ldy)
        case .q4_0: attune_matmul_q4_0_act16(weights, rowBytes, rows, buffer, self.rows, blocksPerRow, y, ldy)
        case .q4_1: attune_matmul_q4_1_act16(weights, rowBytes, rows, buffer, self.rows, blocksPerRow, y, ldy)
        default: preconditionFailure("Int16Activations: no integer dot for \(type)")
        }
    }

    /// `Σ deq(weightRow)[j] · a[i, j]` for a weight row of `type` holding `columns` values.
    @inline(__always)
    public func dot(_ type: GGMLType, weightRow: UnsafeRawPointer, row i: Int) -> Float {
        switch type {
        case .q8_0: attune_dot_q8_0_act16(weightRow, row(i), blocksPerRow)
        case .q4_0: attune_dot_q4_0_act16(weightRow, row(i), blocksPerRow)
        case .q4_1: attune_dot_q4_1_act16(weightRow, row(i), blocksPerRow)
        default: preconditionFailure("Int16Activations: no integer dot for \(type)")
        }
    }
}
