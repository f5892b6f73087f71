import Foundation

/// A layer's rearranged copy of its frozen weight (`Int16WeightPanels` for generation's prefill,
/// `Int16DecodeRows` for decoding), made on first use and kept: the blocks never change.
/// `clear` gives the memory back (training does, its steps never read the copies).
public final class WeightCopyCache<Copy: AnyObject>: @unchecked Sendable {
    private let lock = NSLock()
    private var made: Copy?

    public init() {}

    /// The copy, made by `make` the first time.
    public func copy(_ make: () -> Copy) -> Copy {
        lock.lock()
        defer { lock.unlock() }
        if let made { return made }
        let copy = make()
        made = copy
        return copy
    }

    /// The copy made so far (nil before the first use or after `clear`).
    public var current: Copy? {
        lock.lock()
        defer { lock.unlock() }
        return made
    }

    /// Drops the copy (its memory goes back at once).
    public func clear() {
        lock.lock()
        made = nil
        lock.unlock()
    }
}
