import Essentials
import Foundation
import XCTest
@testable import ModelFormats
import TensorCore

/// Bad input never crashes the reader: every case ends in a thrown `GGUFError` or a valid read.
final class GGUFRobustnessTests: XCTestCase {
    /// Reading succeeded: touch everything a caller would (metadata, every tensor's rows).
    func exercise(_ f: GGUFFile) {
        _ = try? f.llamaMetadata()
        _ = try? f.tokenizerMetadata()
        for t in f.tensors {
            guard let m = try? f.tensor(named: t.name) else { continue }
            if m.rows > 0 { _ = m.dequantizeRow(m.rows - 1) }
        }
    }

    func testTruncationAtEveryLength() throws {
        let bytes = try GGUFTestFixtures.bytes()
        var errors = 0
        for n in 0..<bytes.count {
            do {
                exercise(try GGUFFile(bytes: Array(bytes[0..<n]), name: "cut.gguf"))
            } catch let e as GGUFError {
                errors += 1
                XCTAssertEqual(e.file, "cut.gguf")
            }
        }
        // Only lengths that keep every tensor's data can succeed (the trailing padding may go).
        XCTAssertGreaterThan(errors, bytes.count - 64)
    }

    func testSeededBitFlipsAndByteSmashes() throws {
        let bytes = try GGUFTestFixtures.bytes()
        var rng = SplitMix64(seed: 0x5EED)
        var outcomes = (ok: 0, failed: 0)
        for trial in 0..<3000 {
            var b = bytes
            let edits = 1 + Int(rng.next() % 4)
            for _ in 0..<edits {
                // Concentrate on the header region, where the structure lives.
                let region = trial % 3 == 0 ? b.count : min(b.count, 1600)
                let i = Int(rng.next() % UInt64(region))
                if rng.next() % 2 == 0 {
                    b[i] ^= UInt8(1 << (rng.next() % 8))
                } else {
                    b[i] = [0x00, 0xFF, 0x7F, 0x80, UInt8(truncatingIfNeeded: rng.next())][Int(rng.next() % 5)]
                }
            }
            do {
                exercise(try GGUFFile(bytes: b, name: "flip.gguf"))
                outcomes.ok += 1
            } catch is GGUFError {
                outcomes.failed += 1
            }
        }
        XCTAssertGreaterThan(outcomes.failed, 100)
        XCTAssertGreaterThan(outcomes.ok, 100)
    }

    /// Hand-made hostile headers: huge counts, huge strings, bad types, out-of-file tensors.
    func testHostileHeaders() throws {
        func header(tensors: UInt64, kvs: UInt64) -> ByteSink {
            var s = ByteSink()
            s.u32(GGUFParser.magic); s.u32(3); s.u64(tensors); s.u64(kvs)
            return s
        }
        func expect(_ bytes: [UInt8], _ check: (GGUFError.Kind) -> Bool, line: UInt = #line) {
            do {
                _ = try GGUFFile(bytes: bytes, name: "bad.gguf")
                XCTFail("expected an error", line: line)
            } catch let e as GGUFError {
                XCTAssertTrue(check(e.kind), "\(e)", line: line)
                XCTAssertTrue(e.description.hasPrefix("bad.gguf: "), line: line)
            } catch { XCTFail("\(error)", line: line) }
        }
        expect(Array("GGML".utf8) + [UInt8](repeating: 0, count: 20)) { if case .notGGUF = $0 { true } else { false } }
        var v1 = header(tensors: 0, kvs: 0); v1.bytes[4] = 1
        expect(v1.bytes) { $0 == .unsupportedVersion(1) }
        expect(header(tensors: .max, kvs: 0).bytes) { if case .countTooLarge = $0 { true } else { false } }
        expect(header(tensors: 0, kvs: 1 << 40).bytes) { if case .countTooLarge = $0 { true } else { false } }

        var longKey = header(tensors: 0, kvs: 1); longKey.u64(.max)
        expect(longKey.bytes + [UInt8](repeating: 0, count: 16)) { if case .stringTooLong = $0 { true } else { false } }

        var badType = header(tensors: 0, kvs: 1); badType.string("k"); badType.u32(13); badType.u64(0)
        expect(badType.bytes) { $0 == .invalidValueType(key: "k", id: 13) }

        var hugeArray = header(tensors: 0, kvs: 1); hugeArray.string("k"); hugeArray.u32(9); hugeArray.u32(8); hugeArray.u64(1 << 60)
        expect(hugeArray.bytes) { if case .countTooLarge = $0 { true } else { false } }

        var deep = header(tensors: 0, kvs: 1); deep.string("k"); deep.u32(9)
        for _ in 0..<20 { deep.u32(9); deep.u64(1) }
        deep.bytes += [UInt8](repeating: 0, count: 64)
        expect(deep.bytes) { $0 == .nestingTooDeep(key: "k") }

        var dup = header(tensors: 0, kvs: 2)
        for _ in 0..<2 { dup.string("k"); dup.u32(0); dup.bytes.append(1) }
        expect(dup.bytes) { $0 == .duplicateKey("k") }

        var align = header(tensors: 0, kvs: 1); align.string("general.alignment"); align.u32(4); align.u32(48)
        expect(align.bytes) { $0 == .invalidAlignment(48) }

        func tensorFile(type: UInt32, dims: [UInt64], offset: UInt64, dataBytes: Int) -> [UInt8] {
            var s = header(tensors: 1, kvs: 0)
            s.string("blk.0.attn_q.weight"); s.u32(UInt32(dims.count)); for d in dims { s.u64(d) }
            s.u32(type); s.u64(offset); s.pad(to: 32)
            return s.bytes + [UInt8](repeating: 0, count: dataBytes)
        }
        expect(tensorFile(type: 99, dims: [32], offset: 0, dataBytes: 128)) { $0 == .unknownTensorType(tensor: "blk.0.attn_q.weight", id: 99) }
        expect(tensorFile(type: 16, dims: [256], offset: 0, dataBytes: 128)) { if case .unsupportedTensorType(let t, _) = $0 { t == "blk.0.attn_q.weight" } else { false } }
        expect(tensorFile(type: 8, dims: [33], offset: 0, dataBytes: 128)) { if case .invalidDimensions = $0 { true } else { false } }
        expect(tensorFile(type: 8, dims: [32, 1 << 40], offset: 0, dataBytes: 128)) { if case .invalidDimensions = $0 { true } else { false } }
        expect(tensorFile(type: 0, dims: [32, 2], offset: 0, dataBytes: 255)) { if case .tensorOutOfBounds(let t, _, _, _) = $0 { t == "blk.0.attn_q.weight" } else { false } }
        expect(tensorFile(type: 0, dims: [32], offset: .max - 31, dataBytes: 128)) { if case .tensorOutOfBounds = $0 { true } else { false } }
        expect(tensorFile(type: 0, dims: [32], offset: 4, dataBytes: 256)) { $0 == .misalignedTensor(tensor: "blk.0.attn_q.weight", offset: 4, alignment: 32) }
        expect(tensorFile(type: 0, dims: [], offset: 0, dataBytes: 256)) { if case .invalidDimensions = $0 { true } else { false } }
        XCTAssertNoThrow(try GGUFFile(bytes: tensorFile(type: 0, dims: [32, 2], offset: 0, dataBytes: 256)))

        // A tensor of a known but non-dequantizable type reads, and asking for its values throws.
        let q2 = try GGUFFile(bytes: tensorFile(type: 10, dims: [256], offset: 0, dataBytes: 96), name: "q2.gguf")
        XCTAssertThrowsError(try q2.tensor(named: "blk.0.attn_q.weight")) { e in
            XCTAssertTrue("\(e)".contains("blk.0.attn_q.weight") && "\(e)".contains("Q2_K"), "\(e)")
        }
        XCTAssertThrowsError(try q2.tensor(named: "nope"))
        XCTAssertThrowsError(try q2.llamaMetadata()) { e in XCTAssertTrue("\(e)".contains("general.architecture")) }
    }

    func testMissingAndEmptyFiles() throws {
        XCTAssertThrowsError(try GGUFFile(contentsOf: URL(fileURLWithPath: "/nonexistent/x.gguf"))) { e in
            XCTAssertEqual((e as? GGUFError)?.file, "x.gguf")
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attune-empty-\(UUID().uuidString).gguf")
        defer { try? FileManager.default.removeItem(at: url) }
        _ = FileManager.default.createFile(atPath: url.path, contents: Data())
        XCTAssertThrowsError(try GGUFFile(contentsOf: url)) { e in
            guard case .truncated = (e as? GGUFError)?.kind else { return XCTFail("\(e)") }
        }
    }
}

