import XCTest
@testable import TensorCore

final class HalfFloatTests: XCTestCase {
    /// Every one of the 65,536 binary16 patterns converts exactly as Swift's Float16 does.
    func testHalfToFloatMatchesFloat16ForEveryPattern() {
        for bits in 0...UInt16.max {
            let ours = HalfFloat.toFloat(bits)
            let theirs = Float(Float16(bitPattern: bits))
            if theirs.isNaN {
                XCTAssertTrue(ours.isNaN, "pattern \(bits)")
            } else {
                XCTAssertEqual(ours.bitPattern, theirs.bitPattern, "pattern \(bits)")
            }
        }
    }

    func testHandPickedHalves() {
        XCTAssertEqual(HalfFloat.toFloat(0x3C00), 1.0)
        XCTAssertEqual(HalfFloat.toFloat(0xC000), -2.0)
        XCTAssertEqual(HalfFloat.toFloat(0x3555), 0.333251953125)   // 1365/4096
        XCTAssertEqual(HalfFloat.toFloat(0x0001), 0x1p-24)          // smallest subnormal
        XCTAssertEqual(HalfFloat.toFloat(0x7BFF), 65504)            // largest finite
        XCTAssertEqual(HalfFloat.toFloat(0x7C00), .infinity)
        XCTAssertEqual(HalfFloat.fromFloat(1.0), 0x3C00)
        XCTAssertEqual(HalfFloat.fromFloat(70000), 0x7C00)          // overflow → inf
    }

    func testBFloat16() {
        XCTAssertEqual(HalfFloat.bf16ToFloat(0x3F80), 1.0)
        XCTAssertEqual(HalfFloat.bf16ToFloat(0xC040), -3.0)
        XCTAssertEqual(HalfFloat.bf16FromFloat(1.0), 0x3F80)
        // 1 + 2⁻⁸ is halfway between bf16 neighbours 1 and 1 + 2⁻⁷: ties to even → 1.0
        XCTAssertEqual(HalfFloat.bf16FromFloat(1 + 0x1p-8), 0x3F80)
        // 1 + 3·2⁻⁸ is halfway between 1 + 2⁻⁷ (odd) and 1 + 2⁻⁶ (even) → 1 + 2⁻⁶
        XCTAssertEqual(HalfFloat.bf16FromFloat(1 + 3 * 0x1p-8), 0x3F82)
        XCTAssertTrue(HalfFloat.bf16ToFloat(HalfFloat.bf16FromFloat(.nan)).isNaN)
    }
}
