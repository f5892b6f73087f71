/// An event on a series, drawn as a ✕ and described in the legend ("✕ diverged at 17").
public struct Marker: Sendable, Equatable, Codable, Hashable {
    /// Where along x the event happened (a step).
    public var x: Double
    /// The value at the event, when it is finite; otherwise the marker is drawn at the series'
    /// last finite value at or before `x` (a diverged run usually ends in NaN).
    public var y: Double?
    /// Short description for the legend, e.g. `diverged at 17`.
    public var note: String

    public init(x: Double, y: Double? = nil, note: String) {
        self.x = x
        self.y = y.flatMap { $0.isFinite ? $0 : nil }
        self.note = note
    }

    /// The marker for a run whose loss became non-finite or exploded at step `x`.
    public static func diverged(at x: Double, y: Double? = nil) -> Marker {
        Marker(x: x, y: y, note: "diverged at \(NumberLabel.plain(x))")
    }
}
