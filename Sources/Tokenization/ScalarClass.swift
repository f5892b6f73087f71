/// The character classes the pre-tokenizer patterns distinguish: `\p{L}`, `\p{N}`, `\s` (with
/// `[\r\n]` apart) and everything else.
enum ScalarClass: UInt8 {
    case letter, number, whitespace, newline, other

    /// Whether the class is `\s` (newlines are whitespace too).
    var isWhitespace: Bool { self == .whitespace || self == .newline }

    /// Classifies a scalar value; Basic Multilingual Plane values come from a precomputed table.
    @inline(__always)
    static func of(_ value: UInt32) -> ScalarClass {
        if value < 0x1_0000 { return ScalarClass(rawValue: bmpTable[Int(value)])! }
        return compute(value)
    }

    /// Classifies from Unicode properties: general category for letters and numbers,
    /// the White_Space property for `\s`.
    static func compute(_ value: UInt32) -> ScalarClass {
        if value == 0x0A || value == 0x0D { return .newline }
        guard let scalar = Unicode.Scalar(value) else { return .other }
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }

    /// Classes of U+0000...U+FFFF, computed once (64 KiB).
    static let bmpTable: [UInt8] = (0..<UInt32(0x1_0000)).map { compute($0).rawValue }
}

/// Decodes the scalar starting at `index` of valid UTF-8, returning its value and byte length.
@inline(__always)
func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int) -> (value: UInt32, length: Int) {
    let b0 = UInt32(bytes[index])
    if b0 < 0x80 { return (b0, 1) }
    if b0 < 0xE0 {
        return (((b0 & 0x1F) << 6) | (UInt32(bytes[index + 1]) & 0x3F), 2)
    }
    if b0 < 0xF0 {
        return (((b0 & 0x0F) << 12) | ((UInt32(bytes[index + 1]) & 0x3F) << 6)
                | (UInt32(bytes[index + 2]) & 0x3F), 3)
    }
    return (((b0 & 0x07) << 18) | ((UInt32(bytes[index + 1]) & 0x3F) << 12)
            | ((UInt32(bytes[index + 2]) & 0x3F) << 6) | (UInt32(bytes[index + 3]) & 0x3F), 4)
}
