import Models
import TensorCore
import XCTest

/// Several examples packed into one row (`PackedSequences`) through the whole tiny Llama: each
/// example gets the logits it gets in a row of its own (block-diagonal attention and rotary
/// positions restarting at each example), bit for bit in reproducible numerics.
final class PackedRowsTests: XCTestCase {
    /// Three examples of 23, 41 and 9 tokens, and a copy of the first as a fourth.
    func examples() -> [[Int32]] {
        var rng = RandomGenerator(seed: 11)
        let three = [23, 41, 9].map { n in (0..<n).map { _ in Int32(rng.nextInt(below: 256)) } }
        return three + [three[0]]
    }

    /// One row of the examples back to back, then `padding` pad tokens.
    func packedRow(_ examples: [[Int32]], padding: Int = 5) -> (tokens: [Int32], packing: PackedSequences) {
        let tokens = examples.flatMap { $0 } + [Int32](repeating: 2, count: padding)
        let ids = examples.enumerated().flatMap { [Int](repeating: $0.offset, count: $0.element.count) } + [Int](repeating: -1, count: padding)
        return (tokens, PackedSequences(segmentIDs: ids, rows: 1))
    }

    /// Logit rows `[n × V]` of each segment, as bit patterns.
    func segmentLogits(_ model: LlamaModel, _ tokens: [Int32], _ packing: PackedSequences) -> [[UInt32]] {
        let logits = model.logits(tokens: tokens, batch: 1, packing: packing, tape: Tape(recording: false)).values
        let v = model.config.vocabSize
        return packing.segments.map { Array(logits[($0.start * v)..<(($0.start + $0.count) * v)]).map(\.bitPattern) }
    }

    func testEachExampleGetsTheLogitsOfItsOwnRow() throws {
        let model = try LoadedModel.tiny(seed: 5).model
        let examples = examples()
        let (tokens, packing) = packedRow(examples)
        Numerics.with(.reproducible) {
            let packed = segmentLogits(model, tokens, packing)
            for (i, example) in examples.enumerated() {
                let alone = model.logits(tokens: example, batch: 1, tape: Tape(recording: false)).values.map(\.bitPattern)
                XCTAssertEqual(packed[i], alone, "example \(i) packed at \(packing.segments[i].start) vs alone")
            }
            // The copy of the first example (at position 73 of the row) computes what the first did:
            // its rotary positions restarted at 0.
            XCTAssertEqual(packed[3], packed[0])
        }
        // In fast numerics (OpenBLAS) the rounding may depend on the shapes, not the result.
        try Numerics.with(.fast) {
            let packed = model.logits(tokens: tokens, batch: 1, packing: packing, tape: Tape(recording: false)).values
            let v = model.config.vocabSize
            for (i, example) in examples.enumerated() {
                let alone = model.logits(tokens: example, batch: 1, tape: Tape(recording: false)).values
                let start = packing.segments[i].start * v
                let worst = zip(packed[start..<(start + alone.count)], alone).map { abs($0 - $1) }.max() ?? .nan
                XCTAssertLessThan(try XCTUnwrap(worst), 1e-4, "example \(i), fast numerics")
            }
        }
    }

    /// Without the packing the same row is one causal sequence: later examples see earlier ones
    /// (so the check above is not vacuous).
    func testTheSameRowUnpackedMixesTheExamples() throws {
        let model = try LoadedModel.tiny(seed: 5).model
        let examples = examples()
        let (tokens, packing) = packedRow(examples)
        let packed = segmentLogits(model, tokens, packing)
        let plain = model.logits(tokens: tokens, batch: 1, tape: Tape(recording: false)).values.map(\.bitPattern)
        let v = model.config.vocabSize
        XCTAssertEqual(Array(plain[0..<(23 * v)]), packed[0], "the first example is at the start either way")
        XCTAssertNotEqual(Array(plain[(23 * v)..<(64 * v)]), packed[1])
    }

    /// Changing a token of one example changes nothing in the others, bit for bit, and changes its
    /// own logits from that token on.
    func testAChangedTokenStaysInsideItsExample() throws {
        let model = try LoadedModel.tiny(seed: 6).model
        var examples = examples()
        let (tokens, packing) = packedRow(examples)
        let before = segmentLogits(model, tokens, packing)
        examples[1][30] = (examples[1][30] + 1) % 256
        let (changedTokens, _) = packedRow(examples)
        let after = segmentLogits(model, changedTokens, packing)
        for i in [0, 2, 3] { XCTAssertEqual(after[i], before[i], "example \(i) sees nothing of example 1") }
        let v = model.config.vocabSize
        XCTAssertEqual(Array(after[1][0..<(30 * v)]), Array(before[1][0..<(30 * v)]), "causal within the example")
        XCTAssertNotEqual(Array(after[1][(30 * v)...]), Array(before[1][(30 * v)...]))
    }

    /// Two rows of one batch, each packed differently: the batch computes what each row computes alone.
    func testRowsOfAPackedBatchAreIndependent() throws {
        let model = try LoadedModel.tiny(seed: 7).model
        let examples = examples()
        let first = packedRow([examples[0], examples[1]], padding: 14)   // 23 + 41 + 14 = 78
        let second = packedRow([examples[2], examples[1], examples[3]], padding: 5)   // 9 + 41 + 23 + 5 = 78
        let ids = (0..<78).map { segmentID(first.packing, 0, $0) } + (0..<78).map { segmentID(second.packing, 0, $0) }
        let batch = PackedSequences(segmentIDs: ids, rows: 2)
        Numerics.with(.reproducible) {
            let both = model.logits(tokens: first.tokens + second.tokens, batch: 2, packing: batch, tape: Tape(recording: false)).values
            let one = model.logits(tokens: first.tokens, batch: 1, packing: first.packing, tape: Tape(recording: false)).values
            let two = model.logits(tokens: second.tokens, batch: 1, packing: second.packing, tape: Tape(recording: false)).values
            let v = model.config.vocabSize
            XCTAssertEqual(Array(both[0..<(64 * v)]).map(\.bitPattern), Array(one[0..<(64 * v)]).map(\.bitPattern))
            XCTAssertEqual(Array(both[(78 * v)..<((78 + 73) * v)]).map(\.bitPattern), Array(two[0..<(73 * v)]).map(\.bitPattern))
        }
    }

    /// The segment index of token `t` of `row`, or −1 for padding.
    func segmentID(_ packing: PackedSequences, _ row: Int, _ t: Int) -> Int {
        packing.segments.firstIndex { $0.row == row && $0.start <= t && t < $0.start + $0.count } ?? -1
    }
}
