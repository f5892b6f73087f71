/// User text quoted inside an error message is clipped, so a 1 MB word pasted at the prompt gives
/// a one-line diagnostic (the caret line below it is clipped the same way by the renderer) and a
/// notebook error output of readable size.
extension String {
    /// The longest quoted text kept whole, in characters.
    public static let messageClipLength = 40

    /// The text itself when short, else its first `messageClipLength` characters and `…`;
    /// control and invisible characters (U+202E, zero-width spaces) are written as `U+202E`, so a
    /// quoted word cannot reorder or hide the message around it.
    public var clippedForMessage: String {
        let clipped = count <= Self.messageClipLength ? self : String(prefix(Self.messageClipLength)) + "…"
        guard clipped.unicodeScalars.contains(where: { $0.isUnprintable || $0.isInvisible }) else { return clipped }
        var out = ""
        for scalar in clipped.unicodeScalars {
            if scalar.isUnprintable || scalar.isInvisible {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
