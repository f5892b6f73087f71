import XCTest
@testable import TensorCore

/// Hand-built blocks: every expected value below was computed by hand from the layout in the
/// kernel's doc comment, then written down as a literal.
final class DequantizeTests: XCTestCase {
    func deq(_ type: GGMLType, _ bytes: [UInt8], count: Int) -> [Float] {
        let m = try! QuantizedMatrix(rows: 1, cols: count, type: type, bytes: bytes)
        return m.dequantizeRow(0)
    }

    func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }

    func testF32() {
        var bytes: [UInt8] = []
        for v: Float in [1.5, -2.25] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        XCTAssertEqual(deq(.f32, bytes, count: 2), [1.5, -2.25])
    }

    func testF16() {
        // 0x3C00 = 1.0, 0xC000 = −2.0, 0x3555 = 1365/4096, 0x0001 = 2⁻²⁴
        let bytes = le16(0x3C00) + le16(0xC000) + le16(0x3555) + le16(0x0001)
        XCTAssertEqual(deq(.f16, bytes, count: 4), [1.0, -2.0, 0.333251953125, 0x1p-24])
    }

    func testBF16() {
        // 0x3F80 = 1.0, 0xC040 = −3.0, 0x4049 = 3.140625
        let bytes = le16(0x3F80) + le16(0xC040) + le16(0x4049)
        XCTAssertEqual(deq(.bf16, bytes, count: 3), [1.0, -3.0, 3.140625])
    }

    func testQ8_0() {
        // d = 0.5 (fp16 0x3800); q = −128, −1, 0, 1, 127, then 2 everywhere else
        var q: [Int8] = [-128, -1, 0, 1, 127]
        q += [Int8](repeating: 2, count: 27)
        let bytes = le16(0x3800) + q.map { UInt8(bitPattern: $0) }
        let y = deq(.q8_0, bytes, count: 32)
        XCTAssertEqual(Array(y[0..<5]), [-64, -0.5, 0, 0.5, 63.5])
        XCTAssertEqual(y[31], 1.0)
    }

    func testQ4_0() {
        // d = 2.0 (0x4000). qs[0] = 0x9F: low nibble 15 → x0 = (15−8)·2 = 14,
        // high nibble 9 → x16 = (9−8)·2 = 2. Other bytes 0x80: low 0 → −16, high 8 → 0.
        let bytes = le16(0x4000) + [0x9F] + [UInt8](repeating: 0x80, count: 15)
        let y = deq(.q4_0, bytes, count: 32)
        XCTAssertEqual(y[0], 14)
        XCTAssertEqual(y[16], 2)
        XCTAssertEqual(y[1], -16)
        XCTAssertEqual(y[17], 0)
    }

    func testQ4_1() {
        // d = 0.25 (0x3400), m = −1.0 (0xBC00). qs[0] = 0x4C: low 12 → 12·0.25 − 1 = 2.0,
        // high 4 → 4·0.25 − 1 = 0.0. Other bytes 0xF0: low 0 → −1.0, high 15 → 2.75.
        let bytes = le16(0x3400) + le16(0xBC00) + [0x4C] + [UInt8](repeating: 0xF0, count: 15)
        let y = deq(.q4_1, bytes, count: 32)
        XCTAssertEqual(y[0], 2.0)
        XCTAssertEqual(y[16], 0.0)
        XCTAssertEqual(y[1], -1.0)
        XCTAssertEqual(y[17], 2.75)
    }

    /// Q4_K/Q5_K scales used below: sc = [1, 2, 3, 4, 17, 33, 50, 63], mins = [0, 1, 2, 3, 20, 40, 5, 63].
    /// Packed by hand:
    ///   s[0…3]  = sc[0…3] | (sc[4…7] >> 4) << 6  = 1|1<<6, 2|2<<6, 3|3<<6, 4|3<<6 = 65, 130, 195, 196
    ///   s[4…7]  = mn[0…3] | (mn[4…7] >> 4) << 6  = 0|1<<6, 1|2<<6, 2|0<<6, 3|3<<6 = 64, 129, 2, 195
    ///   s[8…11] = (sc[4…7] & 15) | (mn[4…7] & 15) << 4 = 0x41, 0x81, 0x52, 0xFF
    let kScales: [UInt8] = [65, 130, 195, 196, 64, 129, 2, 195, 0x41, 0x81, 0x52, 0xFF]

    func testKScaleUnpacking() {
        kScales.withUnsafeBufferPointer { s in
            let got = (0..<8).map { Dequantize.kScaleMin($0, s.baseAddress!) }
            XCTAssertEqual(got.map(\.scale), [1, 2, 3, 4, 17, 33, 50, 63])
            XCTAssertEqual(got.map(\.min), [0, 1, 2, 3, 20, 40, 5, 63])
        }
    }

    /// qs[32c + l] = (l % 16) | (15 − l % 16) << 4: the low-nibble sub-block 2c sees l % 16,
    /// the high-nibble sub-block 2c+1 sees 15 − l % 16.
    var kNibbles: [UInt8] { (0..<128).map { i in let l = UInt8(i % 16); return l | ((15 - l) << 4) } }

    func testQ4_K() {
        // d = 1.0 (0x3C00), dmin = 0.5 (0x3800); x = d·sc·q − dmin·mn
        let bytes = le16(0x3C00) + le16(0x3800) + kScales + kNibbles
        XCTAssertEqual(bytes.count, 144)
        let y = deq(.q4_K, bytes, count: 256)
        XCTAssertEqual(y[0], 0)            // sub 0: 1·0 − 0.5·0
        XCTAssertEqual(y[5], 5)            // sub 0: 1·5 − 0
        XCTAssertEqual(y[32], 29.5)        // sub 1: 2·15 − 0.5·1
        XCTAssertEqual(y[67], 8)           // sub 2: 3·3 − 0.5·2
        XCTAssertEqual(y[96], 58.5)        // sub 3: 4·15 − 0.5·3
        XCTAssertEqual(y[135], 109)        // sub 4: 17·7 − 0.5·20
        XCTAssertEqual(y[161], 442)        // sub 5: 33·14 − 0.5·40
        XCTAssertEqual(y[207], 747.5)      // sub 6: 50·15 − 0.5·5
        XCTAssertEqual(y[239], -31.5)      // sub 7: 63·0 − 0.5·63
    }

    func testQ5_K() {
        // As Q4_K plus fifth bits: qh[0] bit 0 (sub 0, l = 0), qh[1] bit 7 (sub 7, l = 1),
        // qh[2] bit 4 (sub 4, l = 2).
        var qh = [UInt8](repeating: 0, count: 32)
        qh[0] = 0b0000_0001; qh[1] = 0b1000_0000; qh[2] = 0b0001_0000
        let bytes = le16(0x3C00) + le16(0x3800) + kScales + qh + kNibbles
        XCTAssertEqual(bytes.count, 176)
        let y = deq(.q5_K, bytes, count: 256)
        XCTAssertEqual(y[0], 16)           // sub 0: 1·(0+16) − 0
        XCTAssertEqual(y[5], 5)            // no fifth bit
        XCTAssertEqual(y[225], 1858.5)     // sub 7, l = 1: 63·(14+16) − 31.5
        XCTAssertEqual(y[130], 296)        // sub 4, l = 2: 17·(2+16) − 10
        XCTAssertEqual(y[32], 29.5)        // unchanged from Q4_K
    }

    func testQ6_K() {
        // d = 0.5 (0x3800); scales sc[k] = k − 8 (−8…7).
        // Half 0: ql[0] = 0x5A, qh[0] = 0b11_10_01_00 (0xE4), other ql/qh zero:
        //   x0  = q(10 | 0<<4 = 10)  → 0.5·sc0·(10−32) = 0.5·−8·−22 = 88
        //   x32 = q(0  | 1<<4 = 16)  → 0.5·sc2·(−16)   = 0.5·−6·−16 = 48
        //   x64 = q(5  | 2<<4 = 37)  → 0.5·sc4·5       = −10
        //   x96 = q(0  | 3<<4 = 48)  → 0.5·sc6·16      = −16
        //   x17 (group 1, all zero)   → 0.5·sc1·(−32)   = 0.5·−7·−32 = 112
        // Half 1: ql[96] = 0xF3:
        //   x160 = q(3)  → 0.5·sc10·(3−32)  = 0.5·2·−29 = −29
        //   x224 = q(15) → 0.5·sc14·(15−32) = 0.5·6·−17 = −51
        //   x255 (group 1, zero) → 0.5·sc15·(−32) = −112
        var ql = [UInt8](repeating: 0, count: 128)
        ql[0] = 0x5A; ql[96] = 0xF3
        var qh = [UInt8](repeating: 0, count: 64)
        qh[0] = 0xE4
        let sc = (0..<16).map { UInt8(bitPattern: Int8($0 - 8)) }
        let bytes = ql + qh + sc + le16(0x3800)
        XCTAssertEqual(bytes.count, 210)
        let y = deq(.q6_K, bytes, count: 256)
        XCTAssertEqual(y[0], 88)
        XCTAssertEqual(y[32], 48)
        XCTAssertEqual(y[64], -10)
        XCTAssertEqual(y[96], -16)
        XCTAssertEqual(y[17], 112)
        XCTAssertEqual(y[160], -29)
        XCTAssertEqual(y[224], -51)
        XCTAssertEqual(y[255], -112)
    }

    func testUnsupportedAndMisalignedViewsThrow() {
        XCTAssertThrowsError(try QuantizedMatrix(rows: 1, cols: 256, type: .q2_K, bytes: [UInt8](repeating: 0, count: 84)))
        XCTAssertThrowsError(try QuantizedMatrix(rows: 1, cols: 33, type: .q8_0, bytes: [UInt8](repeating: 0, count: 68)))
        XCTAssertThrowsError(try QuantizedMatrix(rows: 2, cols: 32, type: .q8_0, bytes: [UInt8](repeating: 0, count: 67)))
    }
}
