/// One named curve of a chart: points in x order, some of them missing.
///
/// A missing value (`y == nil`) is a step with nothing to draw: not logged yet, or non-finite
/// (NaN, ±∞) — non-finite values are turned into `nil` when the series is made, so a series
/// always encodes to valid JSON. Renderers skip missing points and join the neighbours.
///
/// Markers note events along the curve, such as "diverged at 17".
public struct Series: Sendable, Equatable {
    /// One sample. Field names match the tuple form `(x: Double, y: Double?)`.
    public struct Point: Sendable, Equatable, Hashable {
        public var x: Double
        /// `nil` when the value is missing or was not finite.
        public var y: Double?

        public init(x: Double, y: Double?) {
            self.x = x
            self.y = y.flatMap { $0.isFinite ? $0 : nil }
        }
    }

    /// Shown in the legend, e.g. `lr=3e-4`.
    public var name: String
    /// Samples, normally in increasing x.
    public var points: [Point]
    /// Events along the curve (drawn as ✕, described in the legend).
    public var markers: [Marker]

    /// A series from `(x, y)` pairs; non-finite `y` become missing.
    public init(name: String, points: [(x: Double, y: Double?)], markers: [Marker] = []) {
        self.name = name
        self.points = points.map { Point(x: $0.x, y: $0.y) }
        self.markers = markers
    }

    /// A series from points already made.
    public init(name: String, points: [Point], markers: [Marker] = []) {
        self.name = name
        self.points = points.map { Point(x: $0.x, y: $0.y) }
        self.markers = markers
    }

    /// A series whose x values are `start, start + 1, …` (steps), one per value.
    public init(name: String, values: [Double?], startingAt start: Double = 0, markers: [Marker] = []) {
        self.name = name
        self.points = values.enumerated().map { Point(x: start + Double($0.offset), y: $0.element) }
        self.markers = markers
    }

    /// The points that can be drawn: finite `y`, in their original order.
    public var presentPoints: [(x: Double, y: Double)] {
        points.compactMap { p in p.y.map { (x: p.x, y: $0) } }
    }

    /// Adds a divergence marker at `x` (see ``Marker/diverged(at:y:)``).
    public func diverged(at x: Double, y: Double? = nil) -> Series {
        var copy = self
        copy.markers.append(.diverged(at: x, y: y))
        return copy
    }
}
