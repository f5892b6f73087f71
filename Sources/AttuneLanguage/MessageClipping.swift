/// User text quoted inside an error message is clipped, so a 1 MB word pasted at the prompt gives
/// a one-line diagnostic (the caret line below it is clipped the same way by the renderer) and a
/// notebook error output of readable size.
extension String {
    /// The longest quoted text kept whole, in characters.
    public static let messageClipLength = 40

    /// The text itself when short, else its first `messageClipLength` characters and `…`.
    public var clippedForMessage: String {
        count <= Self.messageClipLength ? self : String(prefix(Self.messageClipLength)) + "…"
    }
}
