import CZlib
import Foundation

/// Reads members of a zip archive (a Python wheel) natively: stored or deflated entries, streamed
/// through zlib with their CRC-32 checked, so installing the built-in model from its wheel needs no
/// Python. (ZIPFoundation was the plan, but on Linux it declares its own `CZlib` module, which
/// clashes with ours.)
struct ZipArchive {
    struct Entry {
        var name: String
        var method: UInt16
        var crc32: UInt32
        var compressedSize: UInt64
        var size: UInt64
        var localHeaderOffset: UInt64
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    let url: URL
    let entries: [Entry]

    init(url: URL) throws {
        self.url = url
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let length = try handle.seekToEnd()
        // The end-of-central-directory record: 22 bytes plus a comment of at most 65535.
        let tailLength = min(length, 22 + 65_535)
        try handle.seek(toOffset: length - tailLength)
        let tail = [UInt8](try handle.read(upToCount: Int(tailLength)) ?? Data())
        guard tail.count >= 22, let end = stride(from: tail.count - 22, through: 0, by: -1).first(where: { Self.u32(tail, $0) == 0x0605_4b50 }) else {
            throw Failure("not a zip archive (no end-of-central-directory record)")
        }
        let count = Int(Self.u16(tail, end + 10))
        let directorySize = UInt64(Self.u32(tail, end + 12)), directoryOffset = UInt64(Self.u32(tail, end + 16))
        guard directoryOffset != 0xFFFF_FFFF, directoryOffset + directorySize <= length else {
            throw Failure("unsupported zip archive (ZIP64 or truncated)")
        }
        try handle.seek(toOffset: directoryOffset)
        let directory = [UInt8](try handle.read(upToCount: Int(directorySize)) ?? Data())
        var entries: [Entry] = [], at = 0
        for _ in 0..<count {
            guard at + 46 <= directory.count, Self.u32(directory, at) == 0x0201_4b50 else { throw Failure("damaged central directory") }
            let nameLength = Int(Self.u16(directory, at + 28)), extra = Int(Self.u16(directory, at + 30)), comment = Int(Self.u16(directory, at + 32))
            guard at + 46 + nameLength <= directory.count else { throw Failure("damaged central directory") }
            entries.append(Entry(name: String(decoding: directory[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self),
                                 method: Self.u16(directory, at + 10), crc32: Self.u32(directory, at + 16),
                                 compressedSize: UInt64(Self.u32(directory, at + 20)), size: UInt64(Self.u32(directory, at + 24)),
                                 localHeaderOffset: UInt64(Self.u32(directory, at + 42))))
            at += 46 + nameLength + extra + comment
        }
        self.entries = entries
    }

    /// Writes member `name` to `destination`, checking its size and CRC-32.
    func extract(_ name: String, to destination: URL) throws {
        guard let entry = entries.first(where: { $0.name == name }) else { throw Failure("\(url.lastPathComponent) has no \(name)") }
        guard entry.method == 0 || entry.method == 8 else { throw Failure("\(name) uses compression method \(entry.method) (only stored and deflate are read)") }
        let input = try FileHandle(forReadingFrom: url)
        defer { try? input.close() }
        try input.seek(toOffset: entry.localHeaderOffset)
        let header = [UInt8](try input.read(upToCount: 30) ?? Data())
        guard header.count == 30, Self.u32(header, 0) == 0x0403_4b50 else { throw Failure("damaged local header for \(name)") }
        try input.seek(toOffset: entry.localHeaderOffset + 30 + UInt64(Self.u16(header, 26)) + UInt64(Self.u16(header, 28)))
        guard FileManager.default.createFile(atPath: destination.path, contents: nil) else { throw Failure("cannot create \(destination.path)") }
        let output = try FileHandle(forWritingTo: destination)
        defer { try? output.close() }

        var crc: uLong = crc32(0, nil, 0), written: UInt64 = 0, remaining = entry.compressedSize
        func emit(_ bytes: UnsafeBufferPointer<UInt8>) throws {
            guard !bytes.isEmpty else { return }
            crc = crc32(crc, bytes.baseAddress, uInt(bytes.count))
            written += UInt64(bytes.count)
            try output.write(contentsOf: Data(buffer: bytes))
        }
        let chunk = 1 << 20
        if entry.method == 0 {
            while remaining > 0 {
                let data = try input.read(upToCount: Int(min(remaining, UInt64(chunk)))) ?? Data()
                guard !data.isEmpty else { throw Failure("\(name) is truncated") }
                remaining -= UInt64(data.count)
                try data.withUnsafeBytes { try emit($0.bindMemory(to: UInt8.self)) }
            }
        } else {
            var stream = z_stream()
            guard inflateInit2_(&stream, -MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw Failure("zlib failed to start") }
            defer { inflateEnd(&stream) }
            var out = [UInt8](repeating: 0, count: chunk)
            var finished = false
            while !finished {
                guard remaining > 0 else { throw Failure("\(name) is truncated") }
                var data = [UInt8](try input.read(upToCount: Int(min(remaining, UInt64(chunk)))) ?? Data())
                guard !data.isEmpty else { throw Failure("\(name) is truncated") }
                remaining -= UInt64(data.count)
                try data.withUnsafeMutableBufferPointer { inBuffer in
                    stream.next_in = inBuffer.baseAddress
                    stream.avail_in = uInt(inBuffer.count)
                    repeat {
                        let (status, produced) = out.withUnsafeMutableBufferPointer { outBuffer -> (Int32, Int) in
                            stream.next_out = outBuffer.baseAddress
                            stream.avail_out = uInt(outBuffer.count)
                            let status = inflate(&stream, Z_NO_FLUSH)
                            return (status, outBuffer.count - Int(stream.avail_out))
                        }
                        guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                            throw Failure("\(name) does not inflate (zlib status \(status))")
                        }
                        try out.withUnsafeBufferPointer { try emit(UnsafeBufferPointer(rebasing: $0[0..<produced])) }
                        if status == Z_STREAM_END { finished = true; break }
                    } while stream.avail_in > 0 || stream.avail_out == 0
                }
            }
        }
        guard written == entry.size else { throw Failure("\(name): \(written) bytes, the archive says \(entry.size)") }
        guard UInt32(truncatingIfNeeded: crc) == entry.crc32 else { throw Failure("\(name): CRC-32 mismatch") }
    }

    private static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    private static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
}
