/// `skip_reason="…"` on a cell tagged `skip`: why replay and verify leave it alone (it runs
/// outside Attune, or needs what such a cell produced), which `verify` prints with the cell.
extension Cell {
    /// The fence attribute's name.
    public static let skipReasonAttribute = "skip_reason"

    /// Why the cell is skipped, if the notebook says.
    public var skipReason: String? {
        get {
            guard let text = extraAttributes.first(where: { $0.name == Self.skipReasonAttribute })?.value.stringValue,
                  !text.isEmpty else { return nil }
            return text
        }
        set {
            extraAttributes.removeAll { $0.name == Self.skipReasonAttribute }
            if let newValue { extraAttributes.append(FenceAttribute(name: Self.skipReasonAttribute, value: .string(newValue))) }
        }
    }
}
