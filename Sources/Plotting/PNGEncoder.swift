import CZlib
import Foundation

/// Writes 8-bit RGB or RGBA images as PNG: signature, IHDR, one IDAT of zlib-deflated
/// scanlines (each row filtered with the PNG filter that makes its bytes smallest in sum, as
/// libpng's heuristic does), IEND; every chunk with its CRC-32. The same pixels always give the
/// same bytes.
public enum PNGEncoder {
    /// Pixel layout of the input.
    public enum ColorType: UInt8, Sendable {
        case rgb = 2
        case rgba = 6

        var channels: Int { self == .rgb ? 3 : 4 }
    }

    /// The five PNG row filters (type byte at the start of each scanline).
    public enum Filter: UInt8, Sendable, CaseIterable {
        case none = 0, sub, up, average, paeth
    }

    public enum EncodingError: Error, Equatable, CustomStringConvertible {
        case badSize(width: Int, height: Int, bytes: Int, expected: Int)
        case compressionFailed(code: Int32)

        public var description: String {
            switch self {
            case let .badSize(w, h, bytes, expected):
                return "PNG of \(w) × \(h) needs \(expected) bytes of pixels, got \(bytes)"
            case let .compressionFailed(code):
                return "zlib compression failed (code \(code))"
            }
        }
    }

    /// The PNG file for `pixels` (rows top to bottom, channels interleaved). `filter` nil
    /// chooses per row.
    public static func encode(width: Int, height: Int, pixels: [UInt8], colorType: ColorType = .rgb,
                              filter: Filter? = nil) throws -> Data {
        let bpp = colorType.channels
        let stride = width * bpp
        guard width > 0, height > 0, pixels.count == stride * height else {
            throw EncodingError.badSize(width: width, height: height, bytes: pixels.count, expected: max(0, stride * height))
        }
        var raw = [UInt8]()
        raw.reserveCapacity((stride + 1) * height)
        var previous = [UInt8](repeating: 0, count: stride)
        for y in 0..<height {
            let row = Array(pixels[(y * stride)..<((y + 1) * stride)])
            let candidates = filter.map { [$0] } ?? Filter.allCases
            var best: (filter: Filter, bytes: [UInt8], cost: Int)? = nil
            for f in candidates {
                let filtered = apply(f, row: row, previous: previous, bpp: bpp)
                // Sum of bytes read as signed values: the usual "smallest sum" heuristic.
                let cost = filtered.reduce(0) { $0 + abs(Int(Int8(bitPattern: $1))) }
                if best == nil || cost < best!.cost { best = (f, filtered, cost) }
            }
            raw.append(best!.filter.rawValue)
            raw += best!.bytes
            previous = row
        }

        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = Data()
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header += Data([8, colorType.rawValue, 0, 0, 0])  // depth, colour type, deflate, adaptive filtering, no interlace
        png += chunk("IHDR", header)
        png += chunk("IDAT", try deflate(raw))
        png += chunk("IEND", Data())
        return png
    }

    /// `row` filtered with `filter` against the row above (`previous`, zeros for the first row).
    static func apply(_ filter: Filter, row: [UInt8], previous: [UInt8], bpp: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: row.count)
        for i in 0..<row.count {
            let a = i >= bpp ? Int(row[i - bpp]) : 0
            let b = Int(previous[i])
            let c = i >= bpp ? Int(previous[i - bpp]) : 0
            let predictor: Int
            switch filter {
            case .none: predictor = 0
            case .sub: predictor = a
            case .up: predictor = b
            case .average: predictor = (a + b) / 2
            case .paeth: predictor = paeth(a, b, c)
            }
            out[i] = UInt8(truncatingIfNeeded: Int(row[i]) - predictor)
        }
        return out
    }

    /// The Paeth predictor: whichever of left, up, up-left is closest to left + up − up-left.
    static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let p = a + b - c
        let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }

    /// A chunk: length, type, data, CRC-32 of type and data.
    static func chunk(_ type: String, _ data: Data) -> Data {
        var out = Data()
        out.appendBigEndian(UInt32(data.count))
        let body = Data(type.utf8) + data
        out += body
        let crc = body.withUnsafeBytes { buffer -> UInt in
            UInt(crc32(0, buffer.bindMemory(to: Bytef.self).baseAddress, uInt(buffer.count)))
        }
        out.appendBigEndian(UInt32(truncatingIfNeeded: crc))
        return out
    }

    /// A zlib stream of `bytes` at the best compression.
    static func deflate(_ bytes: [UInt8]) throws -> Data {
        var size = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let code = out.withUnsafeMutableBufferPointer { dst in
            bytes.withUnsafeBufferPointer { src in
                compress2(dst.baseAddress, &size, src.baseAddress, uLong(bytes.count), Z_BEST_COMPRESSION)
            }
        }
        guard code == Z_OK else { throw EncodingError.compressionFailed(code: code) }
        return Data(out.prefix(Int(size)))
    }
}

extension Data {
    mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
    }
}
