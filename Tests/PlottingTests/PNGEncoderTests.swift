import Foundation
import XCTest
@testable import Plotting

final class PNGEncoderTests: XCTestCase {
    /// A 7 × 5 image with gradients and edges, so every filter has something to predict.
    func sampleRGB(width: Int = 7, height: Int = 5, channels: Int = 3) -> [UInt8] {
        var px: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                px += [UInt8(x * 37 % 256), UInt8(y * 51 % 256), UInt8((x * y * 13 + 200) % 256)]
                if channels == 4 { px.append(UInt8((x + y) * 20 % 256)) }
            }
        }
        return px
    }

    func testRoundTripWithEveryFilter() throws {
        let pixels = sampleRGB()
        for filter in PNGEncoder.Filter.allCases {
            let png = try PNGEncoder.encode(width: 7, height: 5, pixels: pixels, filter: filter)
            let decoded = try DecodedPNG(png)
            XCTAssertEqual(decoded.chunkTypes, ["IHDR", "IDAT", "IEND"])
            XCTAssertEqual([decoded.width, decoded.height], [7, 5])
            XCTAssertEqual([decoded.bitDepth, decoded.colorType, decoded.compression, decoded.filterMethod, decoded.interlace],
                           [8, 2, 0, 0, 0])
            XCTAssertEqual(decoded.filterBytes, Array(repeating: filter.rawValue, count: 5), "\(filter)")
            XCTAssertEqual(decoded.pixels, pixels, "\(filter)")
        }
    }

    func testAdaptiveFilteringAndRGBA() throws {
        let pixels = sampleRGB(width: 9, height: 6, channels: 4)
        let png = try PNGEncoder.encode(width: 9, height: 6, pixels: pixels, colorType: .rgba)
        let decoded = try DecodedPNG(png)
        XCTAssertEqual(decoded.colorType, 6)
        XCTAssertTrue(decoded.filterBytes.allSatisfy { $0 <= 4 })
        XCTAssertEqual(decoded.pixels, pixels)
        XCTAssertEqual(decoded.pixel(3, 2), Array(pixels[(2 * 9 + 3) * 4..<(2 * 9 + 3) * 4 + 4]))
    }

    func testKnownIHDRBytes() throws {
        // IHDR for 1 × 1 RGB: its CRC-32 is a published constant (0x907753DE).
        let png = try PNGEncoder.encode(width: 1, height: 1, pixels: [255, 0, 0])
        let bytes = [UInt8](png)
        XCTAssertEqual(Array(bytes[8..<33]), [0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0,
                                               0x90, 0x77, 0x53, 0xDE])
        // IEND is always the same twelve bytes.
        XCTAssertEqual(Array(bytes.suffix(12)), [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
    }

    func testWrongPixelCountThrows() {
        XCTAssertThrowsError(try PNGEncoder.encode(width: 2, height: 2, pixels: [0, 0, 0])) { error in
            XCTAssertEqual(error as? PNGEncoder.EncodingError, .badSize(width: 2, height: 2, bytes: 3, expected: 12))
        }
        XCTAssertThrowsError(try PNGEncoder.encode(width: 0, height: 2, pixels: []))
    }

    func testPaethPredictor() {
        XCTAssertEqual(PNGEncoder.paeth(10, 20, 10), 20)  // p = 20: up is exact
        XCTAssertEqual(PNGEncoder.paeth(20, 10, 10), 20)  // p = 20: left is exact
        XCTAssertEqual(PNGEncoder.paeth(5, 5, 5), 5)
        XCTAssertEqual(PNGEncoder.paeth(0, 100, 60), 60)  // p = 40: left 40 away, up 60, up-left 20
    }
}
