/// GPT-2's reversible mapping between the 256 byte values and 256 printable Unicode scalars.
///
/// Byte-level BPE vocabularies (GPT-2, SmolLM2, Llama 3, Qwen2) store their tokens in this
/// alphabet: printable Latin-1 bytes map to themselves, the other 68 bytes (controls, space,
/// DEL, NBSP, soft hyphen) map to U+0100 and up in byte order, so `" "` is `"Ġ"` and `"\n"` is `"Ċ"`.
public enum ByteLevelAlphabet {
    /// The scalar that represents each byte, indexed by byte value.
    public static let scalars: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var extra: UInt32 = 0
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte)
                || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(256 + extra)!
                extra += 1
            }
        }
        return table
    }()

    /// The byte each alphabet scalar stands for; scalars outside the alphabet are absent.
    public static let bytesByScalar: [UInt32: UInt8] = {
        var map = [UInt32: UInt8]()
        for (byte, scalar) in scalars.enumerated() { map[scalar.value] = UInt8(byte) }
        return map
    }()

    /// Spells raw bytes in the alphabet (`[0x20, 0x61]` → `"Ġa"`).
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var result = String.UnicodeScalarView()
        for byte in bytes { result.append(scalars[Int(byte)]) }
        return String(result)
    }

    /// Reads an alphabet string back to bytes, or nil when a scalar is outside the alphabet.
    public static func decode(_ text: String) -> [UInt8]? {
        var bytes = [UInt8]()
        bytes.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            guard let byte = bytesByScalar[scalar.value] else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
