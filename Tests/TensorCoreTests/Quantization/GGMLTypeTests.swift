import XCTest
@testable import TensorCore

final class GGMLTypeTests: XCTestCase {
    /// Ids as `enum ggml_type` in llama.cpp's ggml.h numbers them.
    func testIds() {
        let expected: [(GGMLType, UInt32)] = [
            (.f32, 0), (.f16, 1), (.q4_0, 2), (.q4_1, 3), (.q5_0, 6), (.q5_1, 7), (.q8_0, 8), (.q8_1, 9),
            (.q2_K, 10), (.q3_K, 11), (.q4_K, 12), (.q5_K, 13), (.q6_K, 14), (.q8_K, 15), (.iq4_NL, 20),
            (.i8, 24), (.i16, 25), (.i32, 26), (.i64, 27), (.f64, 28), (.bf16, 30),
        ]
        for (t, id) in expected { XCTAssertEqual(t.rawValue, id, "\(t)") }
        XCTAssertNil(GGMLType(rawValue: 4))
        XCTAssertNil(GGMLType(rawValue: 31))
    }

    func testLayouts() {
        XCTAssertEqual(GGMLType.q8_0.bytesPerBlock, 34)
        XCTAssertEqual(GGMLType.q4_0.bytesPerBlock, 18)
        XCTAssertEqual(GGMLType.q4_1.bytesPerBlock, 20)
        XCTAssertEqual(GGMLType.q4_K.bytesPerBlock, 144)
        XCTAssertEqual(GGMLType.q5_K.bytesPerBlock, 176)
        XCTAssertEqual(GGMLType.q6_K.bytesPerBlock, 210)
        XCTAssertEqual(GGMLType.q4_K.blockSize, 256)
        XCTAssertEqual(GGMLType.q4_1.byteCount(forValues: 576), 18 * 20)
        XCTAssertNil(GGMLType.q4_1.byteCount(forValues: 33))
        XCTAssertNil(GGMLType.iq2_XXS.layout)
        XCTAssertEqual(GGMLType.q4_1.description, "Q4_1")
    }
}
