import Essentials
/// Text normalisation for duplicate detection.
enum TextNormalization {
    /// Lowercased, with every run of whitespace made one space and the ends trimmed: two
    /// examples that differ only in case or spacing normalise to the same text.
    static func normalized(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.lowercased().unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" "); pendingSpace = false }
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// The stable hash of `normalized(text)`, computed without building the string when the
    /// text is ASCII (the common case).
    static func normalizedHash(_ text: String) -> UInt64 {
        var hash = FNV1a.offsetBasis
        var pendingSpace = false, started = false
        for byte in text.utf8 {
            if byte >= 0x80 { return FNV1a.hash(normalized(text)) }
            if byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) {
                pendingSpace = started
                continue
            }
            if pendingSpace { hash = (hash ^ 0x20) &* FNV1a.prime; pendingSpace = false }
            let lowered = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
            hash = (hash ^ UInt64(lowered)) &* FNV1a.prime
            started = true
        }
        return hash
    }

    /// Whether `text` has at least `minimum` words (runs of non-whitespace), without allocating.
    static func hasWords(_ text: String, atLeast minimum: Int) -> Bool {
        var count = 0, inWord = false
        for byte in text.utf8 {
            let space = byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
            if !space && !inWord { count += 1; if count >= minimum { return true } }
            inWord = !space
        }
        return false
    }

    /// Stable hashes of the words of `text` (runs of letters and digits, case-folded ASCII),
    /// in order. Punctuation and spacing are ignored.
    static func wordHashes(_ text: String) -> [UInt64] {
        var hashes = [UInt64]()
        var hash = FNV1a.offsetBasis
        var inWord = false
        for scalar in text.unicodeScalars {
            var value = scalar.value
            let isWordScalar: Bool
            if value < 0x80 {
                if value >= 0x41 && value <= 0x5A { value += 0x20 }
                isWordScalar = (value >= 0x61 && value <= 0x7A) || (value >= 0x30 && value <= 0x39)
            } else {
                isWordScalar = scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            }
            if isWordScalar {
                hash = (hash ^ UInt64(value)) &* FNV1a.prime
                inWord = true
            } else if inWord {
                hashes.append(hash)
                hash = FNV1a.offsetBasis
                inWord = false
            }
        }
        if inWord { hashes.append(hash) }
        return hashes
    }
}
