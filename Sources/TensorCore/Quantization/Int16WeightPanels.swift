import CKernels
import Foundation

/// A Q8_0/Q4_0/Q4_1 weight `[rows, columns]` repacked into panels of 16 output rows of integer
/// codes (stored as bytes, multiplied as 16-bit integers), for generation's prefill: many activation rows (`Int16Activations`) multiplied
/// with the codes in integers, 16 outputs per vector instruction (`vpdpwssd` where the CPU has
/// AVX-512 VNNI, `vpmaddwd` with AVX2, a portable loop otherwise; the CKernels `act16_panels.c`).
///
/// The definition, per activation row i, weight row r and block b of 32 in order:
/// `acc = fma(d_w·d_a, S_b, acc)` with `S_b` the exact integer dot of the block's codes, plus Q4_1's
/// offsets `off = fma(m_w, Σa, off)` added last. Its error against float32 is the activations'
/// rounding, `|a − d·q| ≤ d/2` (1.5e-5 of a block's largest value), as decoding's; its bits are
/// the same on every path, thread count and tiling. 1.25 bytes per weight (Q4_1 blocks hold 0.625):
/// made once per weight, on the first prefill (`Int16PanelCache`).
public final class Int16WeightPanels: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    /// Bytes held by the panels.
    public let byteCount: Int
    private let blocks: Int
    private let hasOffsets: Bool
    private let storage: UnsafeMutableRawPointer

    /// Repacks `weight` (its type must be one `Int16Activations.supports`), the panels split over
    /// the pool's threads.
    public init(_ weight: QuantizedMatrix) {
        precondition(Int16Activations.supports(weight.type), "Int16WeightPanels: no integer codes for \(weight.type)")
        precondition(weight.cols % 32 == 0, "Int16WeightPanels: \(weight.cols) columns are not a multiple of 32")
        rows = weight.rows
        columns = weight.cols
        blocks = weight.cols / 32
        panels = (weight.rows + 15) / 16
        hasOffsets = weight.type == .q4_1
        byteCount = max(attune_act16_panel_bytes(rows, blocks), 64)
        storage = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
        TensorMemory.allocated(byteCount)
        let type: Int32 = weight.type == .q8_0 ? 0 : weight.type == .q4_0 ? 1 : 2
        let (base, rowBytes, rows, blocks) = (weight.rows > 0 ? weight.rowBytes(0).baseAddress! : UnsafeRawPointer(storage),
                                              weight.rowByteCount, rows, blocks)
        let target = UncheckedSendable(storage)
        parallelChunks(panels, minChunk: 4) { _, range in
            attune_act16_pack_panels(type, base, rowBytes, rows, blocks, range.lowerBound, range.upperBound, target.value)
        }
    }

    deinit {
        storage.deallocate()
        TensorMemory.freed(byteCount)
    }

    /// Panels of 16 output rows (the last one may be partly past the weight's end).
    public let panels: Int

    /// `y[i·ldy + r] = a_i · deq(W[r])` for every activation row i and weight row r, the panels
    /// split over the pool's threads (each writes its own columns of `y`).
    public func multiply(_ activations: Int16Activations, into y: UnsafeMutablePointer<Float>, ldy: Int) {
        let shared = UncheckedSendable(y)
        parallelChunks(panels, minChunk: 2) { _, range in multiply(activations, panels: range, into: shared.value, ldy: ldy) }
    }

    /// `multiply` for the output rows of `panels` only (16 per panel), on the calling thread.
    public func multiply(_ activations: Int16Activations, panels range: Range<Int>, into y: UnsafeMutablePointer<Float>, ldy: Int) {
        precondition(activations.columns == columns, "Int16WeightPanels: activations of \(activations.columns) columns, weight of \(columns)")
        precondition(range.lowerBound >= 0 && range.upperBound <= panels, "Int16WeightPanels: panels \(range) of \(panels)")
        attune_act16_panel_gemm(storage, range.lowerBound, range.upperBound, rows, blocks, hasOffsets ? 1 : 0,
                                activations.blockStorage, activations.rows, y, ldy)
    }
}
