import Essentials
import XCTest

/// Numbers as Attune prints them to people: one convention, binary byte units.
final class NumberTextTests: XCTestCase {
    func testShortIsExactToSixDigitsInAPersonsSpelling() {
        let cases: [(Double, String)] = [(2e-4, "2e-4"), (0.05, "0.05"), (64, "64"), (1_000_000, "1000000"), (-3, "-3"),
                                         (1.5e15, "1.5e15"), (1.0 / 3.0, "0.3333333333333333"), (0.000123456789, "1.234568e-4"),
                                         (.nan, "nan"), (.infinity, "inf"), (-.infinity, "-inf")]
        for (value, text) in cases { XCTAssertEqual(NumberText.short(value), text, "\(value)") }
    }

    func testSignificantRoundsForMessages() {
        let cases: [(Double, String)] = [(2.3149, "2.31"), (48.21, "48.2"), (2e-4, "2e-4"), (0.000999999, "1e-3"),
                                         (1234.0, "1234"), (0.0312, "0.0312"), (1.5e6, "1.5e6"), (9.996e6, "1e7"),
                                         (0, "0"), (-0.5, "-0.5"), (.nan, "nan")]
        for (value, text) in cases { XCTAssertEqual(NumberText.significant(value), text, "\(value)") }
        XCTAssertEqual(NumberText.significant(0.81234, digits: 2), "0.81")
    }

    func testBytesUseBinaryUnitsEverywhere() {
        XCTAssertEqual(NumberText.bytes(512), "512 bytes")
        XCTAssertEqual(NumberText.bytes(1024), "1.0 KiB")
        XCTAssertEqual(NumberText.bytes(436_224), "426.0 KiB")
        XCTAssertEqual(NumberText.bytes(347_288_371), "331.2 MiB")
        XCTAssertEqual(NumberText.bytes(26_953_662_464), "25.1 GiB")
        XCTAssertEqual(NumberText.bytes(3_476_000_000.4), "3.2 GiB", "estimates in Double round to whole bytes")
        XCTAssertEqual(NumberText.bytes(Double(1 << 50)), "1024.0 TiB")
    }

    func testGroupingPercentAndDuration() {
        XCTAssertEqual(NumberText.grouped(109_056), "109,056")
        XCTAssertEqual(NumberText.grouped(-1_234_567), "-1,234,567")
        XCTAssertEqual(NumberText.grouped(999), "999")
        XCTAssertEqual(NumberText.percent(0.734), "73.4%")
        XCTAssertEqual(NumberText.stat(0.0199841234), "0.019984")
        XCTAssertEqual(NumberText.duration(0.85), "850 ms")
        XCTAssertEqual(NumberText.duration(12.34), "12.3 s")
        XCTAssertEqual(NumberText.duration(252), "4.2 min")
        XCTAssertEqual(NumberText.duration(11_160), "3.1 h")
        XCTAssertEqual(NumberText.duration(.infinity), "unknown")
    }
}
