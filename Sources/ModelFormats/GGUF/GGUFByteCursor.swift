/// A bounds-checked little-endian reader over the bytes of a GGUF file. Every read checks the
/// remaining length first, so a truncated or corrupted header throws instead of reading past
/// the end; counts are checked against the bytes left before anything is allocated.
struct GGUFByteCursor {
    let base: UnsafeRawPointer
    let count: Int
    let file: String
    private(set) var position = 0

    init(base: UnsafeRawPointer, count: Int, file: String) {
        self.base = base
        self.count = count
        self.file = file
    }

    var remaining: Int { count - position }

    func fail(_ kind: GGUFError.Kind) -> GGUFError { GGUFError(file: file, kind) }

    mutating func require(_ n: Int, _ what: @autoclosure () -> String) throws {
        guard n >= 0, n <= remaining else { throw fail(.truncated(what: what(), offset: count)) }
    }

    mutating func load<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws -> T {
        try require(MemoryLayout<T>.size, what())
        let v = base.loadUnaligned(fromByteOffset: position, as: T.self)
        position += MemoryLayout<T>.size
        return T(littleEndian: v)
    }

    mutating func float32(_ what: @autoclosure () -> String) throws -> Float {
        Float(bitPattern: try load(UInt32.self, what()))
    }

    mutating func float64(_ what: @autoclosure () -> String) throws -> Double {
        Double(bitPattern: try load(UInt64.self, what()))
    }

    /// A u64 length followed by that many UTF-8 bytes (invalid sequences are repaired with
    /// U+FFFD). `limit` bounds the length in addition to the bytes left.
    mutating func string(_ what: @autoclosure () -> String, limit: Int = .max) throws -> String {
        let n = try load(UInt64.self, what())
        guard n <= UInt64(Swift.min(limit, remaining)) else {
            if n > UInt64(limit) { throw fail(.stringTooLong(what: what(), length: n, limit: limit)) }
            throw fail(.truncated(what: what(), offset: count))
        }
        let len = Int(n)
        let s = String(decoding: UnsafeRawBufferPointer(start: base + position, count: len), as: UTF8.self)
        position += len
        return s
    }

    /// Checks that `n` elements of at least `minSize` bytes each can still fit, returning `n`.
    mutating func elementCount(_ n: UInt64, minSize: Int, _ what: @autoclosure () -> String) throws -> Int {
        let limit = remaining / Swift.max(minSize, 1)
        guard n <= UInt64(limit) else { throw fail(.countTooLarge(what: what(), count: n, limit: limit)) }
        return Int(n)
    }

    /// Reads `n` fixed-width values (count already bounded) into an array.
    mutating func array<T: FixedWidthInteger>(_: T.Type, _ n: Int, _ what: @autoclosure () -> String) throws -> [T] {
        try require(n * MemoryLayout<T>.size, what())
        let start = position
        position += n * MemoryLayout<T>.size
        return (0..<n).map { T(littleEndian: base.loadUnaligned(fromByteOffset: start + $0 * MemoryLayout<T>.size, as: T.self)) }
    }

    mutating func seek(to p: Int) { position = p }
}
