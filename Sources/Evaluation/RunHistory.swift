/// One point of a metric series.
public struct SeriesPoint: Sendable, Equatable, Codable {
    public var step: Int
    public var value: Double
    public init(step: Int, value: Double) {
        self.step = step
        self.value = value
    }
}

/// The metric records of every run in a session, by run name, in the order runs were started.
///
/// A sweep adds one run per value (`lr=1e-4`, `lr=3e-4`, …); `plot loss` asks for one series per
/// run. Records of one run are kept in arrival order; steps need not be contiguous (validation
/// records may share a step with a training record — `series` returns whichever carry the metric).
public struct RunHistory: Sendable, Equatable, Codable {
    public private(set) var runNames: [String] = []
    private var recordsByRun: [String: [MetricRecord]] = [:]

    public init() {}

    /// Appends a record to a run, creating the run on first use.
    public mutating func append(_ record: MetricRecord, to run: String) {
        if recordsByRun[run] == nil {
            runNames.append(run)
            recordsByRun[run] = []
        }
        recordsByRun[run]!.append(record)
    }

    /// Removes a run (e.g. before re-running it with the same name).
    public mutating func removeRun(_ run: String) {
        runNames.removeAll { $0 == run }
        recordsByRun[run] = nil
    }

    /// All records of a run (empty for an unknown run).
    public func records(of run: String) -> [MetricRecord] {
        recordsByRun[run] ?? []
    }

    /// The (step, value) points of one metric in one run, skipping records without it.
    public func series(_ metric: String, of run: String) -> [SeriesPoint] {
        records(of: run).compactMap { record in
            record.value(of: metric).map { SeriesPoint(step: record.step, value: $0) }
        }
    }

    /// The metric names present in a run, standard ones first in their usual order.
    public func metricNames(of run: String) -> [String] {
        let records = records(of: run)
        var names = MetricRecord.standardNames.filter { name in records.contains { $0.value(of: name) != nil } }
        let extras = Set(records.flatMap { $0.extra.keys }).subtracting(names)
        names.append(contentsOf: extras.sorted())
        return names
    }

    /// The last record of a run that carries the metric.
    public func last(_ metric: String, of run: String) -> SeriesPoint? {
        series(metric, of: run).last
    }

    /// The point with the smallest value of a metric (e.g. best validation loss), first on ties.
    public func minimum(_ metric: String, of run: String) -> SeriesPoint? {
        series(metric, of: run).filter { $0.value.isFinite }.min { $0.value < $1.value }
    }

    /// The run's records as JSON Lines.
    public func jsonLines(of run: String) -> String {
        records(of: run).map(\.jsonLine).joined(separator: "\n")
    }
}
