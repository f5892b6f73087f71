import Foundation
import TensorCore
import XCTest
@testable import ModelFormats

final class SafetensorsTests: XCTestCase {
    func sample() throws -> Data {
        try SafetensorsWriter.encode([
            .init(name: "a.f32", shape: [2, 3], values: [1, -2, 3.5, 0, 1e-3, -7]),
            .init(name: "b.f16", shape: [4], values: [0.5, -1, 2, 65504], dtype: .f16),
            .init(name: "c.bf16", shape: [2], values: [1, -3], dtype: .bf16),
            .init(name: "ids", shape: [1, 3], int32s: [7, -100, 2_000_000]),
        ], metadata: ["format": "pt"])
    }

    func testRoundTripOfEveryStoredType() throws {
        let file = try SafetensorsFile(data: sample())
        XCTAssertEqual(file.names, ["a.f32", "b.f16", "c.bf16", "ids"])
        XCTAssertEqual(file.metadata, ["format": "pt"])
        XCTAssertEqual(try file.floats("a.f32"), [1, -2, 3.5, 0, 1e-3, -7])
        XCTAssertEqual(try file.floats("b.f16"), [0.5, -1, 2, 65504])
        XCTAssertEqual(try file.floats("c.bf16"), [1, -3])
        XCTAssertEqual(try file.int32s("ids"), [7, -100, 2_000_000])
        XCTAssertEqual(try file.tensor("a.f32").shape, [2, 3])
        XCTAssertEqual(try file.entry("ids").dtype, .i32)
        // The header is padded to a multiple of 8 bytes.
        let headerLength = try sample().withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        XCTAssertEqual((8 + headerLength) % 8, 0)
    }

    func testReadsI64AndRejectsTypeConfusion() throws {
        var bytes = Data()
        for v: Int64 in [5, -100] { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        let file = try SafetensorsFile(data: SafetensorsWriter.encode([.init(name: "x", dtype: .i64, shape: [2], bytes: bytes)]))
        XCTAssertEqual(try file.int32s("x"), [5, -100])
        XCTAssertThrowsError(try file.floats("x")) { XCTAssertTrue("\($0)".contains("expected a floating-point tensor"), "\($0)") }
        XCTAssertThrowsError(try file.floats("nope")) { XCTAssertTrue("\($0)".contains("nope"), "\($0)") }
    }

    /// Builds a file from a literal header and data section.
    func file(header: String, data: Int = 0) -> Data {
        var d = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { d.append(contentsOf: $0) }
        d.append(contentsOf: Array(header.utf8))
        d.append(Data(count: data))
        return d
    }

    func testHeaderErrorsNameTheTensorAndTheProblem() {
        let cases: [(String, Int, String)] = [
            (#"{"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#, 4, "outside the 4-byte data section"),
            (#"{"t": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#, 8, "needs 12 bytes"),
            (#"{"t": {"dtype": "Q4", "shape": [2], "data_offsets": [0, 8]}}"#, 8, "unsupported dtype Q4"),
            (#"{"t": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 8]}}"#, 8, "invalid dimension"),
            (#"{"t": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 8]}}"#, 8, "too large"),
            (#"{"t": {"dtype": "F32", "shape": [2]}}"#, 8, "data_offsets"),
            (#"{"t": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}"#, 8, "outside"),
            (#"[1, 2]"#, 0, "not a JSON object"),
            (#"{"t": "#, 0, "not valid JSON"),
            (#"{"t": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "t": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#, 8,
             "t: appears twice in the header"),
            (#"{"t": {"dtype": "F32", "shape": [true], "data_offsets": [0, 4]}}"#, 4, "invalid dimension"),
        ]
        for (header, size, message) in cases {
            XCTAssertThrowsError(try SafetensorsFile(data: file(header: header, data: size), path: "m.safetensors")) { error in
                XCTAssertTrue("\(error)".contains(message), "\(header): \(error)")
                XCTAssertTrue("\(error)".hasPrefix("m.safetensors"), "\(error)")
            }
        }
        var huge = Data()
        withUnsafeBytes(of: UInt64.max.littleEndian) { huge.append(contentsOf: $0) }
        XCTAssertThrowsError(try SafetensorsFile(data: huge)) { XCTAssertTrue("\($0)".contains("header length"), "\($0)") }
        XCTAssertThrowsError(try SafetensorsFile(data: Data([1, 2, 3])))
    }

    /// Every truncation and a few thousand seeded bit flips end in an error or a valid read.
    func testTruncatedAndBitFlippedFilesNeverCrash() throws {
        let good = try sample()
        for length in 0..<good.count {
            let cut = good.prefix(length)
            if let file = try? SafetensorsFile(data: Data(cut)) { for name in file.names { _ = try? file.floats(name); _ = try? file.int32s(name) } }
        }
        var rng = RandomGenerator(seed: 99)
        var parsed = 0
        for _ in 0..<3000 {
            var bytes = [UInt8](good)
            for _ in 0..<(1 + rng.nextInt(below: 3)) {
                let i = rng.nextInt(below: bytes.count)
                bytes[i] ^= UInt8(1 << rng.nextInt(below: 8))
            }
            if let file = try? SafetensorsFile(data: Data(bytes)) {
                parsed += 1
                for name in file.names { _ = try? file.floats(name); _ = try? file.int32s(name) }
            }
        }
        XCTAssertGreaterThan(parsed, 0, "flips in the data section still parse")
    }
}
