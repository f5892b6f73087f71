/// A byte string as a dictionary key that compares bytes exactly.
///
/// Swift `String` keys compare by canonical equivalence (`"é" == "e\u{301}"`), which would merge
/// distinct vocabulary entries and cache entries; up to 16 bytes are packed inline.
struct ByteKey: Hashable, Sendable {
    private var low: UInt64 = 0
    private var high: UInt64 = 0
    private var count: Int
    private var tail: [UInt8]?

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        count = bytes.count
        if count <= 16 {
            for (i, byte) in bytes.enumerated() {
                if i < 8 { low |= UInt64(byte) << (8 * UInt64(i)) } else { high |= UInt64(byte) << (8 * UInt64(i - 8)) }
            }
        } else {
            tail = Array(bytes)
        }
    }

    init(_ text: String) {
        var text = text
        self = text.withUTF8 { ByteKey($0) }
    }

    init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBufferPointer { ByteKey($0) }
    }
}
