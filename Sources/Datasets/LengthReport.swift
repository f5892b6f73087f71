/// Example lengths: percentiles, a histogram, and how many exceed the sequence length.
public struct LengthReport: Sendable, Hashable, Codable {
    public struct Bin: Sendable, Hashable, Codable {
        public var lower: Int
        /// Exclusive.
        public var upper: Int
        public var count: Int
    }

    /// `tokens` or `characters`.
    public var unit: String
    public var minimum: Int
    public var maximum: Int
    public var mean: Double
    public var p50: Int
    public var p90: Int
    public var p95: Int
    public var p99: Int
    public var histogram: [Bin]
    public var sequenceLength: Int?
    /// Examples longer than `sequenceLength` (they would be truncated).
    public var overLimit: Int
    /// The longest examples: (line, length).
    public var longest: [[Int]]

    init(lengths: [Int], lines: [Int], unit: String, sequenceLength: Int?) {
        self.unit = unit
        self.sequenceLength = sequenceLength
        let sorted = lengths.sorted()
        func percentile(_ p: Double) -> Int {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))]
        }
        minimum = sorted.first ?? 0
        maximum = sorted.last ?? 0
        mean = sorted.isEmpty ? 0 : (Double(sorted.reduce(0, +)) / Double(sorted.count) * 10).rounded() / 10
        p50 = percentile(0.5); p90 = percentile(0.9); p95 = percentile(0.95); p99 = percentile(0.99)
        overLimit = sequenceLength.map { limit in lengths.filter { $0 > limit }.count } ?? 0
        longest = lengths.indices.sorted { lengths[$0] > lengths[$1] || (lengths[$0] == lengths[$1] && $0 < $1) }
            .prefix(5).map { [lines[$0], lengths[$0]] }
        // Ten bins of a round width covering 0…maximum.
        let rawWidth = max(1, (maximum + 10) / 10)
        let magnitude = Int(pow10(floorLog10(rawWidth)))
        let width = [1, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rawWidth } ?? rawWidth
        var bins = [Bin]()
        var lower = 0
        while lower <= maximum { bins.append(Bin(lower: lower, upper: lower + width, count: 0)); lower += width }
        for length in lengths { bins[min(bins.count - 1, length / width)].count += 1 }
        histogram = bins
    }

    func section(file: String, listed: Int) -> CheckSection {
        var summary = "\(unit): p50 \(p50), p90 \(p90), p99 \(p99), max \(maximum)"
        var status = CheckStatus.ok
        var worst = [ExampleReference]()
        var fix: String?
        if let limit = sequenceLength {
            summary += "; \(overLimit) over seq \(limit)"
            if overLimit > 0 {
                status = .warning
                worst = longest.filter { $0[1] > limit }.prefix(listed).map { ExampleReference(file: file, line: $0[0], note: "\($0[1]) \(unit)") }
                fix = "set seq=\(Self.roundedUp(p99)) (covers p99), or shorten/split the longest examples"
            }
        } else if unit == "characters" {
            summary += " (load a model to count tokens)"
        }
        return CheckSection(name: "lengths", status: status, count: overLimit, summary: summary, worst: worst, fix: fix)
    }

    /// The next multiple of 64.
    static func roundedUp(_ value: Int) -> Int { (value + 63) / 64 * 64 }

    /// A text histogram: one bar per bin.
    public func histogramText(width: Int = 30) -> String {
        let peak = max(1, histogram.map(\.count).max() ?? 1)
        return histogram.map { bin in
            let bar = String(repeating: "█", count: bin.count * width / peak)
            return "\(String(bin.lower).leftAligned(6))-\(String(bin.upper).leftAligned(6)) \(bar) \(bin.count)"
        }.joined(separator: "\n")
    }
}

private func floorLog10(_ value: Int) -> Int {
    var power = 0, rest = value
    while rest >= 10 { rest /= 10; power += 1 }
    return power
}

private func pow10(_ power: Int) -> Double {
    (0..<power).reduce(1.0) { value, _ in value * 10 }
}

extension String {
    /// Right-padded with spaces to `width`.
    func leftAligned(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
