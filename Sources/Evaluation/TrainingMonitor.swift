/// Runs the warning detectors over one training run and keeps the warnings they raised.
///
/// Feed it every record as it is produced (`observe` after each step and each evaluation); it
/// returns the warnings that started with that record, in detector order.
public struct TrainingMonitor: Sendable {
    public var detectors: [any WarningDetector]
    /// Every warning raised so far, in order.
    public private(set) var warnings: [TrainingWarning] = []

    /// The default set: explosion, not decreasing, oscillation, plateau, overfitting, and the
    /// learning-rate range when the method is known (judging `peakLearningRate`, the configured
    /// `lr`, when given, and naming the model's `parameterCount` — see ``LearningRateRangeDetector``).
    /// With `plannedSteps` known, the not-decreasing, plateau and learning-rate windows scale with
    /// the run's length (each detector's `init(plannedSteps:)` documents how).
    public init(method: FineTuningMethod? = nil, peakLearningRate: Double? = nil, parameterCount: Int? = nil, plannedSteps: Int? = nil) {
        var detectors: [any WarningDetector] = [
            LossExplosionDetector(),
            plannedSteps.map { LossNotDecreasingDetector(plannedSteps: $0) } ?? LossNotDecreasingDetector(),
            LossOscillationDetector(),
            plannedSteps.map { PlateauDetector(plannedSteps: $0) } ?? PlateauDetector(),
            OverfittingDetector(),
        ]
        if let method {
            detectors.append(LearningRateRangeDetector(method: method, peakLearningRate: peakLearningRate,
                                                       parameterCount: parameterCount, plannedSteps: plannedSteps))
        }
        self.detectors = detectors
    }

    public init(detectors: [any WarningDetector]) {
        self.detectors = detectors
    }

    /// Observes one record; returns the warnings that started with it.
    @discardableResult
    public mutating func observe(_ record: MetricRecord) -> [TrainingWarning] {
        var raised: [TrainingWarning] = []
        for index in detectors.indices {
            if let warning = detectors[index].observe(record) { raised.append(warning) }
        }
        warnings.append(contentsOf: raised)
        return raised
    }

    /// Observes a whole series of records (e.g. a replayed metrics block).
    @discardableResult
    public mutating func observe(_ records: [MetricRecord]) -> [TrainingWarning] {
        records.flatMap { observe($0) }
    }

    /// Forgets all state (a new run).
    public mutating func reset() {
        for index in detectors.indices { detectors[index].reset() }
        warnings = []
    }
}
