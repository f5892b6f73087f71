import Foundation

/// SplitMix64: a small seeded generator so property tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D4_9BB1_33C1_11EB
        return z ^ (z >> 31)
    }
}

/// Random strings mixing the scripts and edge cases tokenizers get wrong.
enum RandomText {
    /// Pools of scalars: ASCII words and punctuation, whitespace and controls, accents and
    /// combining marks, CJK, emoji (with modifiers, ZWJ and flags), RTL, replacement chars.
    static let pools: [[UInt32]] = [
        Array(0x61...0x7A) + Array(0x41...0x5A),
        Array(0x30...0x39) + [0x0661, 0x0662, 0x00BD, 0x2163],
        Array(0x21...0x2F) + Array(0x3A...0x40) + [0x27, 0x27, 0x5B, 0x5D, 0x7B, 0x7D, 0x7E],
        [0x20, 0x20, 0x20, 0x0A, 0x0D, 0x09, 0x0B, 0x0C, 0xA0, 0x85, 0x2028, 0x3000, 0x200B, 0x00, 0x01, 0x1B, 0x7F],
        [0xE9, 0xFC, 0xDF, 0x0301, 0x0308, 0x0327, 0x1E9E, 0x0130, 0x017F],
        [0x4F60, 0x597D, 0x4E16, 0x754C, 0x3068, 0x30AB, 0xAC00, 0xD55C],
        [0x1F44B, 0x1F3FD, 0x200D, 0x1F469, 0x1F1EB, 0x1F1F7, 0x2764, 0xFE0F, 0x1F600],
        [0x05D0, 0x05D1, 0x0627, 0x0644, 0x200F, 0xFFFD, 0xFEFF, 0x10FFFF, 0xE000],
    ]

    static func string<G: RandomNumberGenerator>(using generator: inout G, maxLength: Int) -> String {
        let length = Int.random(in: 0...maxLength, using: &generator)
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length {
            let pool = pools.randomElement(using: &generator)!
            scalars.append(Unicode.Scalar(pool.randomElement(using: &generator)!)!)
        }
        return String(scalars)
    }
}
