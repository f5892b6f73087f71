import Essentials
/// Makes short cell ids that look random but depend only on the notebook's seed and the cell
/// number, so a replay with the same seed gives the same ids.
public struct CellIDGenerator: Sendable {
    /// The notebook seed (front matter `seed`).
    public var seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
    }

    private static let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")

    /// A 4-character id for cell `n` (lowercase letters and digits, no look-alikes), starting with
    /// a letter; when it is already in `used`, the next candidate in a fixed sequence is taken
    /// (one character longer after many collisions).
    public func id(for n: Int, avoiding used: Set<String>) -> String {
        var attempt: UInt64 = 0
        while true {
            var z = SplitMix64.scramble(seed ^ SplitMix64.scramble(UInt64(bitPattern: Int64(n))) &+ attempt &* 0x9E37_79B9_7F4A_7C15)
            let length = 4 + Int(attempt / 64)
            var id = ""
            id.append(Self.alphabet[Int(z % 24)])  // letters only first: ids never look like numbers
            z /= 24
            for _ in 1..<length {
                id.append(Self.alphabet[Int(z % UInt64(Self.alphabet.count))])
                z /= UInt64(Self.alphabet.count)
                if z == 0 { z = SplitMix64.scramble(z &+ attempt &+ 1) }
            }
            if !used.contains(id) { return id }
            attempt += 1
        }
    }

}
