import Essentials
import Foundation

/// One rollback rule, `schema_valid < 0.8 over 50`: a metric of the candidate's last `window`
/// requests compared with a threshold. It is judged only once `window` observations exist; when
/// the comparison holds the rule fires.
///
/// Metrics (each over the window, the candidate's requests in arrival order):
/// - `schema_valid`: share of replies that are JSON matching the schema (the rollout's, else the
///   request's `response_format`, else any JSON object);
/// - `error_rate`: share that failed (an error answer, a timeout, a failed generation);
/// - `refusal_rate`: share whose reply reads as a refusal (`RefusalDetector`);
/// - `latency_p95`: the 95th percentile (nearest rank) of seconds from arrival to last token;
///   the threshold may be written `2.5`, `2.5s` or `2500ms`;
/// - `ood_rate`: share of the rollout's last `window` requests (every request it routes, not only
///   the candidate's) whose novelty score was above the fallback's threshold (needs `fallback`).
public struct RollbackRule: Sendable, Equatable, CustomStringConvertible {
    public enum Metric: String, Sendable, CaseIterable {
        case schemaValid = "schema_valid", errorRate = "error_rate", refusalRate = "refusal_rate", latencyP95 = "latency_p95"
        case oodRate = "ood_rate"
    }

    public enum Comparison: String, Sendable, CaseIterable {
        case below = "<", atMost = "<=", above = ">", atLeast = ">="

        func holds(_ value: Double, _ threshold: Double) -> Bool {
            switch self {
            case .below: return value < threshold
            case .atMost: return value <= threshold
            case .above: return value > threshold
            case .atLeast: return value >= threshold
            }
        }
    }

    public var metric: Metric
    public var comparison: Comparison
    public var threshold: Double
    /// Observations the window holds (the rule waits until it is full).
    public var window: Int

    public init(metric: Metric, comparison: Comparison, threshold: Double, window: Int) {
        self.metric = metric; self.comparison = comparison; self.threshold = threshold; self.window = window
    }

    /// Reads `METRIC OP NUMBER over N`; the message names what is wrong and shows the form.
    public init(parsing text: String) throws {
        let form = "write a rule as METRIC OP NUMBER over N, such as \"schema_valid < 0.8 over 50\" (metrics: "
            + Metric.allCases.map(\.rawValue).joined(separator: ", ") + "; OP: <, <=, >, >=)"
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard words.count == 5, words[3].lowercased() == "over" else { throw RolloutError("rollback rule '\(text)': \(form)") }
        guard let metric = Metric(rawValue: words[0].lowercased()) else {
            let names = Metric.allCases.map(\.rawValue)
            let hint = names.first { $0.hasPrefix(words[0].lowercased().prefix(3)) }.map { " — did you mean \($0)?" } ?? ""
            throw RolloutError("rollback rule '\(text)': unknown metric '\(words[0])'\(hint); metrics are \(names.joined(separator: ", "))")
        }
        guard let comparison = Comparison(rawValue: words[1]) else {
            throw RolloutError("rollback rule '\(text)': '\(words[1])' is not a comparison; use <, <=, > or >=")
        }
        var number = words[2].lowercased()
        var scale = 1.0
        if metric == .latencyP95 {
            if number.hasSuffix("ms") { number.removeLast(2); scale = 0.001 } else if number.hasSuffix("s") { number.removeLast() }
        }
        var isPercent = false
        if metric != .latencyP95, number.hasSuffix("%") { number.removeLast(); isPercent = true }
        guard let value = Double(number), value.isFinite else {
            throw RolloutError("rollback rule '\(text)': '\(words[2])' is not a number")
        }
        let threshold = isPercent ? value / 100 : value * scale
        if metric != .latencyP95, !(0...1).contains(threshold) {
            throw RolloutError("rollback rule '\(text)': \(metric.rawValue) is a share between 0 and 1 (or 0%–100%), got \(words[2])")
        }
        if metric == .latencyP95, threshold <= 0 { throw RolloutError("rollback rule '\(text)': the latency must be above 0 seconds") }
        guard let window = Int(words[4]), (1...100_000).contains(window) else {
            throw RolloutError("rollback rule '\(text)': the window 'over N' must be a whole number of requests, 1…100000, got '\(words[4])'")
        }
        self.init(metric: metric, comparison: comparison, threshold: threshold, window: window)
    }

    /// The metric over the last `window` observations (for `ood_rate`, the last `window` novelty
    /// flags of the rollout's requests), or nil while fewer exist.
    public func value(over observations: some Collection<RolloutObservation>, novelFlags: some Collection<Bool> = [Bool]()) -> Double? {
        if metric == .oodRate {
            guard novelFlags.count >= window else { return nil }
            return Double(novelFlags.suffix(window).filter { $0 }.count) / Double(window)
        }
        guard observations.count >= window else { return nil }
        let recent = observations.suffix(window)
        func share(_ isTrue: (RolloutObservation) -> Bool) -> Double { Double(recent.filter(isTrue).count) / Double(window) }
        switch metric {
        case .schemaValid: return share { $0.schemaValid }
        case .errorRate: return share { $0.failed }
        case .refusalRate: return share { $0.refusal }
        case .oodRate:
            return nil
        case .latencyP95:
            let sorted = recent.map(\.latencySeconds).sorted()
            let rank = Int((0.95 * Double(window)).rounded(.up))
            return sorted[max(rank, 1) - 1]
        }
    }

    /// The value when the rule fires on `observations`, else nil.
    public func fires(on observations: some Collection<RolloutObservation>, novelFlags: some Collection<Bool> = [Bool]()) -> Double? {
        guard let value = value(over: observations, novelFlags: novelFlags), comparison.holds(value, threshold) else { return nil }
        return value
    }

    /// `schema_valid < 0.8 over 50`.
    public var description: String {
        let number = metric == .latencyP95 ? JSONValue.numberText(threshold) + "s" : JSONValue.numberText(threshold)
        return "\(metric.rawValue) \(comparison.rawValue) \(number) over \(window)"
    }
}

/// What the rules see of one candidate request.
public struct RolloutObservation: Sendable, Equatable {
    public var schemaValid: Bool
    public var failed: Bool
    public var refusal: Bool
    public var latencySeconds: Double

    public init(schemaValid: Bool, failed: Bool, refusal: Bool, latencySeconds: Double) {
        self.schemaValid = schemaValid; self.failed = failed; self.refusal = refusal; self.latencySeconds = latencySeconds
    }
}

/// A rollout plan or rule that cannot be used; the message names the key and the fix.
public struct RolloutError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
