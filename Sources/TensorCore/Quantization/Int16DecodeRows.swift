import CKernels
import Foundation

/// A Q8_0/Q4_0/Q4_1 weight `[rows, columns]` rearranged for decoding's one-row products on the
/// AVX-512 VNNI and AVX2 paths: rows in groups of four, blocks in chunks of eight, each chunk's half-precision
/// scales (and Q4_1's minimums) stored apart from its codes (`attune_act16_rows4_pack`). The bytes
/// are the blocks' own, only moved — the same size as the weight's whole groups of four rows.
///
/// `multiply` gives exactly the bits of `Int16Activations.multiply` on the original rows (the
/// 16-bit activation dots' definition, quant_act16.c). What the layout saves is work: the kernel
/// converts a row's eight scales with one load and one conversion instead of gathering headers
/// from 20-byte blocks (a third of a row-block's time), and the four rows stream as one.
/// Measured on a Zen 4 (SmolLM2-sized Q4_1 rows from DRAM, two threads): 33–38 GB/s against 27–30.
/// Decoding several rows at once (a batch of requests) reads each group once for all of them.
/// Made once per weight on the first decoding product (`QuantizedLinear.decodeRows`), only where
/// `isUsed` (a vector kernel reads it): the portable path would only put the rows back together.
public final class Int16DecodeRows: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    /// Whole groups of four rows held; rows from `4 · groups` on stay in the original.
    public let groups: Int
    /// Bytes held.
    public let byteCount: Int
    private let type: Int32
    private let rowBytes: Int
    /// In 2 MiB pages where the system gives them (`LargePages`): decoding streams it every token.
    private let memory: LargePages.Block
    private let storage: UnsafeMutableRawPointer

    /// Whether decoding uses this layout on this CPU and kernel path (AVX-512 VNNI or AVX2).
    public static var isUsed: Bool { attune_act16_rows4_is_vectorized() != 0 }

    /// Rearranges `weight` (a type `Int16Activations.supports`), the groups split over the pool's threads.
    public init(_ weight: QuantizedMatrix) {
        precondition(Int16Activations.supports(weight.type), "Int16DecodeRows: no integer codes for \(weight.type)")
        rows = weight.rows
        columns = weight.cols
        groups = weight.rows / 4
        rowBytes = weight.rowByteCount
        type = weight.type == .q8_0 ? 0 : weight.type == .q4_0 ? 1 : 2
        byteCount = max(groups * 4 * rowBytes, 64)
        memory = LargePages.allocate(byteCount: byteCount)
        storage = memory.pointer
        TensorMemory.allocated(byteCount)
        guard groups > 0 else { return }
        let (source, target, type, rowBytes, blocks) = (UncheckedSendable(weight.rowBytes(0).baseAddress!), UncheckedSendable(storage),
                                                        type, rowBytes, weight.cols / 32)
        // Over both threads even for a small weight: a first token (serve's first request) waits
        // for every layer's copy, 96 MB for SmolLM2.
        parallelChunks(groups, minChunk: 16) { _, range in
            attune_act16_rows4_pack(type, source.value, rowBytes, blocks, range.lowerBound, range.upperBound, target.value)
        }
    }

    deinit {
        TensorMemory.freed(byteCount)
    }

    /// Where the groups of four rows in `range` lie in this layout (clamped to the groups held):
    /// what a product over them streams, for read-ahead (`attune_pool_prefetch_hint`).
    public func bytes(ofGroups range: Range<Int>) -> UnsafeRawBufferPointer {
        let first = min(max(range.lowerBound, 0), groups), last = min(max(range.upperBound, first), groups)
        return UnsafeRawBufferPointer(start: storage + first * 4 * rowBytes, count: (last - first) * 4 * rowBytes)
    }

    /// `y[i · ldy + r − range.lowerBound] = a_i · deq(W[r])` for every activation row i and the
    /// weight rows in `range`: whole groups from this layout (each group read once for all rows),
    /// rows outside them (a range not on a multiple of four, the last `rows % 4`) from `weight`'s
    /// own blocks — each output the bits `Int16Activations.multiply` gives it alone.
    public func multiply(_ activations: Int16Activations, weight: QuantizedMatrix, rows range: Range<Int>,
                         into y: UnsafeMutablePointer<Float>, ldy: Int) {
        precondition(activations.columns == columns && weight.rows == rows && weight.cols == columns,
                     "Int16DecodeRows: a \(weight.rows)×\(weight.cols) weight and \(activations.columns) columns, made for \(rows)×\(columns)")
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "Int16DecodeRows: rows \(range) of \(rows)")
        let first = min((range.lowerBound + 3) / 4, groups), last = max(first, min(range.upperBound / 4, groups))
        func clamped(_ row: Int) -> Int { min(max(row, range.lowerBound), range.upperBound) }
        func original(_ part: Range<Int>) {
            guard !part.isEmpty else { return }
            let w = weight.rowBytes(part.lowerBound).baseAddress!, out = y + (part.lowerBound - range.lowerBound)
            if activations.rows == 1 {
                activations.multiply(weight.type, weights: w, rowBytes: rowBytes, rows: part.count, row: 0, into: out)
            } else {
                activations.multiplyAllRows(weight.type, weights: w, rowBytes: rowBytes, rows: part.count, into: out, ldy: ldy)
            }
        }
        original(range.lowerBound..<clamped(4 * first))
        if last > first {
            attune_act16_rows4_matmul(type, storage, rowBytes, first, last, activations.blockStorage, activations.rows,
                                      activations.blocksPerRow, y + (4 * first - range.lowerBound), ldy)
        }
        original(clamped(4 * last)..<range.upperBound)
    }
}
