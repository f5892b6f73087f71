/// `stop_after=K` on a command cell: the cell's long command (a `train`, a `generate`) was
/// stopped with Ctrl-C at its K-th safe point (step boundary), so a replay stops it at the same
/// point instead of running the whole request, and reproduces the recorded outputs.
extension Cell {
    /// The fence attribute's name.
    public static let stopAfterAttribute = "stop_after"

    /// The safe point the recording stopped at, when it was interrupted.
    public var stopAfter: Int? {
        get {
            guard let value = extraAttributes.first(where: { $0.name == Self.stopAfterAttribute })?.value.doubleValue,
                  value >= 1, value.rounded() == value, value < 1e15 else { return nil }
            return Int(value)
        }
        set {
            extraAttributes.removeAll { $0.name == Self.stopAfterAttribute }
            if let newValue { extraAttributes.append(FenceAttribute(name: Self.stopAfterAttribute, value: .number(Double(newValue)))) }
        }
    }
}
