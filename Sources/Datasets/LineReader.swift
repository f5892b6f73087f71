#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file line by line in fixed-size chunks, so a large file is never in memory at once.
/// Lines are handed out as byte buffers without their `\n` (and without a trailing `\r`).
struct LineReader {
    let path: String
    /// Bytes read per system call.
    static let chunkSize = 1 << 20

    /// Calls `body` with each line's bytes and its 1-based number; `body` returns false to stop.
    func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Bool) throws {
        guard let file = fopen(path, "rb") else {
            throw DatasetError.file(path: path, reason: "cannot open (\(String(cString: strerror(errno))))")
        }
        defer { fclose(file) }
        var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
        var pending = [UInt8]()   // a line that continues past the chunk boundary
        var lineNumber = 0
        var keepGoing = true

        func emit(_ buffer: UnsafeBufferPointer<UInt8>) throws {
            lineNumber += 1
            var line = buffer
            if let last = line.last, last == 0x0D { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
            if lineNumber == 1, line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF {
                line = UnsafeBufferPointer(rebasing: line.dropFirst(3))   // byte-order mark
            }
            keepGoing = try body(line, lineNumber)
        }

        while keepGoing {
            let read = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, Self.chunkSize, file) }
            if read == 0 {
                if ferror(file) != 0 { throw DatasetError.file(path: path, reason: "read error") }
                break
            }
            try chunk.withUnsafeBufferPointer { whole in
                let buffer = UnsafeBufferPointer(rebasing: whole[0..<read])
                var start = 0
                while keepGoing, let newline = buffer[start...].firstIndex(of: 0x0A) {
                    if pending.isEmpty {
                        try emit(UnsafeBufferPointer(rebasing: buffer[start..<newline]))
                    } else {
                        pending.append(contentsOf: buffer[start..<newline])
                        try pending.withUnsafeBufferPointer { try emit($0) }
                        pending.removeAll(keepingCapacity: false)
                    }
                    start = newline + 1
                }
                if keepGoing && start < read { pending.append(contentsOf: buffer[start..<read]) }
            }
        }
        if keepGoing && !pending.isEmpty { try pending.withUnsafeBufferPointer { try emit($0) } }
    }
}
