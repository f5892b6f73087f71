import CZlib
import Foundation
import XCTest

/// A small PNG reader for tests (8-bit RGB/RGBA, no interlace): checks the signature and every
/// chunk's CRC with zlib's `crc32`, inflates IDAT with zlib's `uncompress` and undoes the row
/// filters, written from the PNG specification independently of the encoder.
struct DecodedPNG {
    var width: Int
    var height: Int
    var bitDepth: UInt8
    var colorType: UInt8
    var compression: UInt8
    var filterMethod: UInt8
    var interlace: UInt8
    var chunkTypes: [String]
    var filterBytes: [UInt8]
    var pixels: [UInt8]

    var channels: Int { colorType == 6 ? 4 : 3 }

    func pixel(_ x: Int, _ y: Int) -> [UInt8] {
        let i = (y * width + x) * channels
        return Array(pixels[i..<(i + channels)])
    }

    enum Failure: Error { case bad(String) }

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count > 8, Array(bytes[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw Failure.bad("signature")
        }
        func u32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
        var i = 8
        var types: [String] = []
        var ihdr: [UInt8] = []
        var idat: [UInt8] = []
        while i + 12 <= bytes.count {
            let length = u32(i)
            let typeAndData = Array(bytes[(i + 4)..<(i + 8 + length)])
            let type = String(decoding: typeAndData[0..<4], as: UTF8.self)
            let stored = UInt(u32(i + 8 + length))
            let computed = typeAndData.withUnsafeBufferPointer { UInt(crc32(0, $0.baseAddress, uInt($0.count))) }
            guard stored == computed else { throw Failure.bad("CRC of \(type)") }
            types.append(type)
            if type == "IHDR" { ihdr = Array(typeAndData[4...]) }
            if type == "IDAT" { idat += typeAndData[4...] }
            i += 12 + length
        }
        guard i == bytes.count else { throw Failure.bad("trailing bytes") }
        guard ihdr.count == 13 else { throw Failure.bad("IHDR length") }
        width = Int(ihdr[0]) << 24 | Int(ihdr[1]) << 16 | Int(ihdr[2]) << 8 | Int(ihdr[3])
        height = Int(ihdr[4]) << 24 | Int(ihdr[5]) << 16 | Int(ihdr[6]) << 8 | Int(ihdr[7])
        bitDepth = ihdr[8]; colorType = ihdr[9]; compression = ihdr[10]; filterMethod = ihdr[11]; interlace = ihdr[12]
        chunkTypes = types

        let bpp = colorType == 6 ? 4 : 3
        let stride = width * bpp
        var raw = [UInt8](repeating: 0, count: (stride + 1) * height)
        var size = uLongf(raw.count)
        let code = raw.withUnsafeMutableBufferPointer { dst in
            idat.withUnsafeBufferPointer { src in uncompress(dst.baseAddress, &size, src.baseAddress, uLong(src.count)) }
        }
        guard code == Z_OK, Int(size) == raw.count else { throw Failure.bad("inflate \(code), \(size) bytes") }

        var out = [UInt8](repeating: 0, count: stride * height)
        var filters: [UInt8] = []
        for y in 0..<height {
            let f = raw[y * (stride + 1)]
            filters.append(f)
            for x in 0..<stride {
                let v = Int(raw[y * (stride + 1) + 1 + x])
                let a = x >= bpp ? Int(out[y * stride + x - bpp]) : 0
                let b = y > 0 ? Int(out[(y - 1) * stride + x]) : 0
                let c = x >= bpp && y > 0 ? Int(out[(y - 1) * stride + x - bpp]) : 0
                let predicted: Int
                switch f {
                case 0: predicted = 0
                case 1: predicted = a
                case 2: predicted = b
                case 3: predicted = (a + b) / 2
                case 4:
                    let p = a + b - c
                    let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predicted = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw Failure.bad("filter type \(f)")
                }
                out[y * stride + x] = UInt8((v + predicted) & 0xFF)
            }
        }
        filterBytes = filters
        pixels = out
    }
}
