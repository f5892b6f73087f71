import Synchronization

/// A layer's rearranged copy of its frozen weight (`Int16WeightPanels` for generation's prefill,
/// `Int16DecodeRows` for decoding), made on first use and kept: the blocks never change. (A model
/// keeps its decoding plan, which holds such copies, the same way.)
/// `clear` gives the memory back (training does, its steps never read the copies).
/// Decoding asks for its copies seven times per block and token: the lock is the standard
/// library's `Mutex` (an atomic exchange when uncontended).
public final class WeightCopyCache<Copy: AnyObject>: Sendable {
    private let made = Mutex<UncheckedSendable<Copy>?>(nil)

    public init() {}

    /// The copy, made by `make` the first time.
    public func copy(_ make: () -> Copy) -> Copy {
        made.withLock { made in
            if let made { return made.value }
            let copy = make()
            made = UncheckedSendable(copy)
            return copy
        }
    }

    /// The copy made so far (nil before the first use or after `clear`).
    public var current: Copy? { made.withLock { $0?.value } }

    /// Drops the copy (its memory goes back at once).
    public func clear() { made.withLock { $0 = nil } }
}
