import Dispatch
import Foundation

/// A `rows × cols` row-major matrix whose bytes stay in their ggml block encoding.
///
/// Each row is `cols / blockSize` whole blocks, rows are contiguous, and the view never copies
/// the bytes: a Q4_1 matrix costs 20 bytes per 32 weights (5 bits/weight) however it was
/// obtained (a memory-mapped GGUF file or a quantized array). A forward pass dequantizes rows on
/// the fly with `dequantizeRow(_:into:)` or a range with `dequantize(rows:into:)`.
public struct QuantizedMatrix: Sendable {
    public let rows: Int
    public let cols: Int
    public let type: GGMLType
    /// Bytes of one row (`cols / blockSize · bytesPerBlock`).
    public let rowByteCount: Int
    /// The shared bytes and where this matrix starts inside them.
    public let storage: QuantizedStorage
    public let byteOffset: Int

    /// A view of `rows × cols` values of `type` at `byteOffset` in `storage`. Throws unless the
    /// type can be dequantized, `cols` is a whole number of blocks and the bytes are present.
    public init(rows: Int, cols: Int, type: GGMLType, storage: QuantizedStorage, byteOffset: Int = 0) throws(QuantizationError) {
        guard let bs = type.blockSize, type.canDequantize else { throw .unsupportedType(type) }
        guard rows >= 0, cols >= 0, byteOffset >= 0 else { throw .invalidShape(rows: rows, cols: cols) }
        guard cols % bs == 0 else { throw .columnsNotBlockAligned(cols: cols, type: type, blockSize: bs) }
        guard let rowBytes = type.byteCount(forValues: cols) else { throw .invalidShape(rows: rows, cols: cols) }
        let (total, o1) = rowBytes.multipliedReportingOverflow(by: rows)
        let (end, o2) = total.addingReportingOverflow(byteOffset)
        guard !o1, !o2 else { throw .invalidShape(rows: rows, cols: cols) }
        guard end <= storage.count else { throw .notEnoughBytes(needed: end, available: storage.count) }
        self.rows = rows
        self.cols = cols
        self.type = type
        self.rowByteCount = rowBytes
        self.storage = storage
        self.byteOffset = byteOffset
    }

    /// A matrix over a copy of `bytes` (already encoded as `type`).
    public init(rows: Int, cols: Int, type: GGMLType, bytes: [UInt8]) throws(QuantizationError) {
        try self.init(rows: rows, cols: cols, type: type, storage: QuantizedStorage(copying: bytes))
    }

    /// Quantizes row-major `values` (`rows · cols` of them) to `type` (F32, F16, BF16, Q8_0,
    /// Q4_0, Q4_1).
    public init(quantizing values: [Float], rows: Int, cols: Int, type: GGMLType) throws(QuantizationError) {
        guard type.canQuantize, let bs = type.blockSize else { throw .unsupportedType(type) }
        guard rows >= 0, cols >= 0, rows.multipliedReportingOverflow(by: cols) == (values.count, false) else {
            throw .invalidShape(rows: rows, cols: cols)
        }
        guard cols % bs == 0 else { throw .columnsNotBlockAligned(cols: cols, type: type, blockSize: bs) }
        try self.init(rows: rows, cols: cols, type: type, bytes: Quantize.bytes(type, values))
    }

    /// `[rows, cols]`.
    public var shape: [Int] { [rows, cols] }

    /// Total encoded bytes.
    public var byteCount: Int { rowByteCount * rows }

    /// The encoded bytes of the whole matrix (valid while `storage` is alive).
    public var rawBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage.base + byteOffset, count: byteCount)
    }

    /// The encoded bytes of row `r`.
    public func rowBytes(_ r: Int) -> UnsafeRawBufferPointer {
        precondition(r >= 0 && r < rows, "row \(r) out of range 0..<\(rows)")
        return UnsafeRawBufferPointer(start: storage.base + byteOffset + r * rowByteCount, count: rowByteCount)
    }

    /// Dequantizes row `r` into `out` (`out.count` must equal `cols`).
    public func dequantizeRow(_ r: Int, into out: UnsafeMutableBufferPointer<Float>) {
        precondition(r >= 0 && r < rows, "row \(r) out of range 0..<\(rows)")
        precondition(out.count == cols, "output holds \(out.count) floats, row has \(cols)")
        guard cols > 0, let dst = out.baseAddress else { return }
        Dequantize.run(type, from: storage.base + byteOffset + r * rowByteCount, count: cols, into: dst)
    }

    /// Row `r` as a new array.
    public func dequantizeRow(_ r: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: cols) { buf, n in
            dequantizeRow(r, into: buf)
            n = cols
        }
    }

    /// Dequantizes `rows` into `out` (row-major, `out.count == rows.count · cols`). Large ranges
    /// are split over threads with `parallelChunks`.
    public func dequantize(rows range: Range<Int>, into out: UnsafeMutableBufferPointer<Float>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) out of range 0..<\(rows)")
        precondition(out.count == range.count * cols, "output holds \(out.count) floats, \(range.count) rows need \(range.count * cols)")
        guard cols > 0, !range.isEmpty, let dst = out.baseAddress else { return }
        let src = storage.base + byteOffset
        let (type, cols, rowBytes) = (self.type, self.cols, self.rowByteCount)
        let total = range.count * cols
        if total < 1 << 16 {
            Dequantize.run(type, from: src + range.lowerBound * rowBytes, count: total, into: dst)
            return
        }
        parallelChunks(range.count) { _, rows in
            Dequantize.run(type, from: src + (range.lowerBound + rows.lowerBound) * rowBytes, count: rows.count * cols,
                           into: dst + rows.lowerBound * cols)
        }
    }

    /// The whole matrix as a new row-major array.
    public func dequantized() -> [Float] {
        [Float](unsafeUninitializedCapacity: rows * cols) { buf, n in
            dequantize(rows: 0..<rows, into: buf)
            n = rows * cols
        }
    }
}
