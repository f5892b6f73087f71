/// Base versus tuned on the same examples: every example that got worse.
///
/// Examples are matched by id. An example got worse when the tuned reply passes fewer checks than
/// the base reply did (so a base pass turned into a tuned failure is always flagged, and so is a
/// partial loss on an example that failed anyway). Better: passes more. Ids present on one side
/// only are listed as unmatched.
public struct RegressionReport: Sendable, Equatable, Codable {
    public struct Change: Sendable, Equatable, Codable {
        public var id: String
        public var basePassed: Int
        public var tunedPassed: Int
        public var checks: Int
        /// Checks that passed on base and fail on tuned.
        public var lostChecks: [String]
        /// Failure details of the tuned reply.
        public var tunedDetails: [String]
    }

    public private(set) var worsened: [Change] = []
    public private(set) var improved: [Change] = []
    public private(set) var unchanged = 0
    public private(set) var unmatched: [String] = []

    public init(base: [ExampleResult], tuned: [ExampleResult]) {
        let tunedByID = Dictionary(tuned.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let baseIDs = Set(base.map(\.id))
        for before in base {
            guard let after = tunedByID[before.id] else {
                unmatched.append(before.id)
                continue
            }
            let lost = zip(before.outcomes, after.outcomes).filter { $0.passed && !$1.passed }.map { $0.0.check }
            let change = Change(id: before.id, basePassed: before.passedCount, tunedPassed: after.passedCount,
                                checks: after.outcomes.count, lostChecks: lost,
                                tunedDetails: after.failures.map { "\($0.check): \($0.detail)" })
            if after.passedCount < before.passedCount { worsened.append(change) }
            else if after.passedCount > before.passedCount { improved.append(change) }
            else { unchanged += 1 }
        }
        unmatched += tuned.map(\.id).filter { !baseIDs.contains($0) }
    }

    /// True when nothing got worse.
    public var isClean: Bool { worsened.isEmpty }

    /// A short plain summary listing every worsened example.
    public var text: String {
        var lines = ["regression: \(worsened.count) worse, \(improved.count) better, \(unchanged) unchanged"
                     + (unmatched.isEmpty ? "" : ", \(unmatched.count) unmatched")]
        for change in worsened {
            lines.append("  worse \(change.id): \(change.basePassed)/\(change.checks) → \(change.tunedPassed)/\(change.checks)"
                         + (change.tunedDetails.isEmpty ? "" : " (" + change.tunedDetails.joined(separator: "; ") + ")"))
        }
        return lines.joined(separator: "\n")
    }
}
