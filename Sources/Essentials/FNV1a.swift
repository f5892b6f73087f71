/// 64-bit FNV-1a: a hash that is the same in every process (Swift's `Hasher` is seeded per run),
/// for duplicate groups, generator purposes, file fingerprints and colour picks.
public struct FNV1a: Sendable {
    public static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    public static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// The hash so far.
    public private(set) var value: UInt64

    public init(value: UInt64 = FNV1a.offsetBasis) { self.value = value }

    /// Folds one byte into the hash.
    @inline(__always)
    public mutating func combine(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* Self.prime
    }

    /// Folds bytes into the hash.
    public mutating func combine(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { combine(byte) }
    }

    /// The FNV-1a hash of a string's UTF-8.
    public static func hash(_ text: String) -> UInt64 {
        var hasher = FNV1a()
        hasher.combine(text.utf8)
        return hasher.value
    }

    /// The FNV-1a hash of bytes.
    public static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hasher = FNV1a()
        hasher.combine(bytes)
        return hasher.value
    }
}
