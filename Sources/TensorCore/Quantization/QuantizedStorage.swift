/// Immutable raw bytes shared by quantized views: either an allocation this object owns or a
/// region whose lifetime another object (`owner`, e.g. a memory-mapped file) guarantees.
///
/// Views (`QuantizedMatrix`) keep a reference, so a mapped file stays mapped while any tensor
/// taken from it is alive. The bytes are never written after initialisation, which is what
/// makes sharing across threads safe.
public final class QuantizedStorage: @unchecked Sendable {
    /// First byte (never nil; an empty storage points at a 1-byte allocation).
    public let base: UnsafeRawPointer
    /// Number of readable bytes from `base`.
    public let count: Int
    private let owner: AnyObject?
    private let owned: UnsafeMutableRawPointer?

    /// Copies `bytes` into a new allocation (64-byte aligned).
    public init<C: Collection>(copying bytes: C) where C.Element == UInt8 {
        let n = bytes.count
        let p = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(n, 1), alignment: 64)
        var i = 0
        for b in bytes { p.storeBytes(of: b, toByteOffset: i, as: UInt8.self); i += 1 }
        base = UnsafeRawPointer(p)
        count = n
        owned = p
        owner = nil
    }

    /// Wraps bytes that `owner` keeps alive (no copy).
    public init(unsafeBase: UnsafeRawPointer, count: Int, owner: AnyObject) {
        precondition(count >= 0, "QuantizedStorage: negative count \(count)")
        base = unsafeBase
        self.count = count
        self.owner = owner
        owned = nil
    }

    deinit { owned?.deallocate() }
}
