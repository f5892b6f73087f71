/// What every renderer draws, worked out once from a ``Chart``: the points of each line in axis
/// space (log applied, missing and undrawable values dropped, smoothing done), where each marker
/// sits, and the x and y domains. Renderers only map it to cells or pixels.
struct ChartPlan: Sendable {
    /// A point in axis space: `x` as given, `t` the y value after the scale's transform.
    struct Point: Sendable, Equatable {
        var x: Double
        var t: Double
    }

    /// A marker placed on its line.
    struct PlacedMarker: Sendable, Equatable {
        var point: Point
        var note: String
    }

    /// One series, ready to draw.
    struct Line: Sendable {
        /// Position in the chart (decides colour and glyph).
        var index: Int
        var name: String
        /// The values as logged.
        var raw: [Point]
        /// The smoothed values, when smoothing is on.
        var smoothed: [Point]?
        var markers: [PlacedMarker]

        /// The main line: smoothed when smoothing is on, raw otherwise.
        var drawn: [Point] { smoothed ?? raw }

        /// The legend text: name, then each marker's note after a ✕.
        var legendText: String {
            ([name] + markers.map { "✕ \($0.note)" }).joined(separator: " ")
        }
    }

    var lines: [Line]
    var scale: YScale
    var xDomain: ClosedRange<Double>
    /// In axis space (log10 of values on a log axis).
    var yDomain: ClosedRange<Double>

    init(_ chart: Chart) {
        scale = chart.yScale
        let smoothing = chart.smoothing.isFinite ? min(max(chart.smoothing, 0), 0.999) : 0
        func axisPoints(_ s: Series) -> [Point] {
            s.points.compactMap { p in
                guard p.x.isFinite, let y = p.y, let t = chart.yScale.transform(y) else { return nil }
                return Point(x: p.x, t: t)
            }
        }
        var lines: [Line] = []
        for (i, s) in chart.series.enumerated() {
            let raw = axisPoints(s)
            let smoothed = smoothing > 0 ? axisPoints(Smoothing.ema(s, weight: smoothing)) : nil
            lines.append(Line(index: i, name: s.name, raw: raw, smoothed: smoothed, markers: []))
        }

        // x domain: every point and marker.
        var xs = lines.flatMap { $0.raw.map(\.x) }
        xs += chart.series.flatMap { $0.markers.map(\.x) }.filter(\.isFinite)
        var xLo = xs.min() ?? 0, xHi = xs.max() ?? 1
        if xHi - xLo <= 0 { xLo -= 1; xHi += 1 }
        xDomain = xLo...xHi

        // y domain: raw and smoothed values, and markers that carry a value.
        var ts = lines.flatMap { $0.raw.map(\.t) + ($0.smoothed ?? []).map(\.t) }
        ts += chart.series.flatMap { $0.markers.compactMap { $0.y.flatMap(chart.yScale.transform) } }
        let yDomain = ChartPlan.yDomain(values: ts, range: chart.yRange, scale: chart.yScale)
        self.yDomain = yDomain

        // Markers: at their own value, else on the drawn line at or before x, else at the top.
        for (i, s) in chart.series.enumerated() {
            let drawn = lines[i].drawn
            lines[i].markers = s.markers.filter { $0.x.isFinite }.map { m in
                let t = m.y.flatMap(chart.yScale.transform)
                    ?? drawn.last(where: { $0.x <= m.x })?.t
                    ?? drawn.first?.t
                    ?? yDomain.upperBound
                return PlacedMarker(point: Point(x: m.x, t: t), note: m.note)
            }
        }
        self.lines = lines
    }

    static func yDomain(values: [Double], range: YRange, scale: YScale) -> ClosedRange<Double> {
        var padding = 0.05
        switch range {
        case let .fixed(lower, upper):
            if let lo = scale.transform(lower), let hi = scale.transform(upper), hi > lo { return lo...hi }
        case let .auto(p):
            if p.isFinite, p >= 0 { padding = p }
        }
        guard var lo = values.min(), var hi = values.max() else { return 0...1 }
        if hi - lo <= 0 {
            let half = scale == .log ? 0.5 : max(abs(lo) * 0.1, 1)
            lo -= half
            hi += half
        }
        let pad = (hi - lo) * padding
        return (lo - pad)...(hi + pad)
    }

    /// 0 at the left edge of the plot, 1 at the right.
    func xFraction(_ x: Double) -> Double {
        (x - xDomain.lowerBound) / (xDomain.upperBound - xDomain.lowerBound)
    }

    /// 0 at the bottom of the plot, 1 at the top.
    func yFraction(_ t: Double) -> Double {
        (t - yDomain.lowerBound) / (yDomain.upperBound - yDomain.lowerBound)
    }

    /// A fraction made safe to turn into a pixel or dot: NaN (an infinite span) becomes 0 and
    /// values far outside a fixed range are held at ten plot sizes away, which keeps integer
    /// conversions in range (a line to such a point leaves the plot at a slightly steeper
    /// angle than exact).
    static func drawable(_ fraction: Double) -> Double {
        fraction.isNaN ? 0 : min(max(fraction, -10), 11)
    }

    /// A tick on an axis: its value, position in axis space and label.
    struct Tick: Sendable, Equatable {
        var value: Double
        var position: Double
        var label: String
    }

    /// About `target` x ticks.
    func xTicks(target: Int) -> [Tick] {
        let (values, step) = AxisTicks.linearWithStep(lower: xDomain.lowerBound, upper: xDomain.upperBound, target: target)
        return values.map { Tick(value: $0, position: $0, label: NumberLabel.tick($0, step: step)) }
    }

    /// About `target` y ticks, positioned in axis space.
    func yTicks(target: Int) -> [Tick] {
        switch scale {
        case .linear:
            let (values, step) = AxisTicks.linearWithStep(lower: yDomain.lowerBound, upper: yDomain.upperBound, target: target)
            return values.map { Tick(value: $0, position: $0, label: NumberLabel.tick($0, step: step)) }
        case .log:
            let values = AxisTicks.log(lower: scale.inverse(yDomain.lowerBound), upper: scale.inverse(yDomain.upperBound), target: target)
            return values.compactMap { v in scale.transform(v).map { Tick(value: v, position: $0, label: NumberLabel.logTick(v)) } }
        }
    }
}
