import TensorCore
import Tokenization
import XCTest
@testable import Models

/// Generation's prefill panels (`QuantizedLinear.int16Panels`) on the tiny model kept in Q4_1:
/// made by the first prompt of more than `rowwiseLimit` tokens, kept for the next, freed by
/// `releaseGenerationCopies` (which training calls first) and made again with the same bits.
final class PrefillPanelsTests: XCTestCase {
    func testPanelsAreMadeByAPromptAndReleasedForTraining() throws {
        let model = try BatchedDecodeTests.quantizedTiny(seed: 11, type: .q4_1)
        let quantized = model.linears.values.compactMap { $0 as? QuantizedLinear }
        XCTAssertFalse(quantized.isEmpty)
        let prompt = ByteTokenizer().encode("a prompt of more than four tokens").map(Int32.init)
        XCTAssertGreaterThan(prompt.count, QuantizedLinear.rowwiseLimit)
        func prefill() -> [Float] { model.nextTokenLogits(prompt, cache: KVCache(config: model.config, capacity: prompt.count)) }

        XCTAssertTrue(quantized.allSatisfy { $0.int16Panels.current == nil }, "nothing is made before a prompt")
        _ = model.nextTokenLogits(Array(prompt.prefix(3)), cache: KVCache(config: model.config, capacity: 3))
        XCTAssertTrue(quantized.allSatisfy { $0.int16Panels.current == nil }, "a short prompt takes decoding's dots")
        let first = prefill()
        XCTAssertTrue(quantized.allSatisfy { $0.int16Panels.current != nil }, "a long prompt made every projection's panels")
        let live = TensorMemory.liveBytes
        // Decoding's rows, where made (one-row products on the VNNI path: the output head here).
        let head = model.outputHead as? QuantizedLinear
        let decodeBytes = ([head].compactMap { $0 } + quantized).compactMap { $0.decodeRows.current?.byteCount }.reduce(0, +)
        XCTAssertEqual(head?.decodeRows.current != nil, head != nil && Int16DecodeRows.isUsed)
        model.releaseGenerationCopies()
        XCTAssertTrue(quantized.allSatisfy { $0.int16Panels.current == nil && $0.decodeRows.current == nil })
        XCTAssertNil(head?.decodeRows.current)
        // 16 rows a panel, 640 bytes a panel and block of 32 (act16_panels.c).
        let freed = quantized.reduce(0) { $0 + ($1.weight.rows + 15) / 16 * ($1.weight.cols / 32) * 640 } + decodeBytes
        XCTAssertEqual(live - TensorMemory.liveBytes, freed, "the panels' bytes went back")
        XCTAssertEqual(prefill().map(\.bitPattern), first.map(\.bitPattern), "made again, the same bits")
    }
}
