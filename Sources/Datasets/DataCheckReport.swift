/// The result of `data check`: the guide's checklist, one section per item, as a structured
/// value (notebooks record it as JSON) with a compact table rendering.
public struct DataCheckReport: Sendable, Hashable, Codable {
    public var file: String
    public var format: DataFormat
    public var examples: Int
    /// Invalid lines skipped while loading (lenient mode).
    public var skippedLines: Int
    public var goal: TrainingGoal?

    public var duplicates: DuplicateReport
    public var pii: PIIReport
    public var formatting: FormattingReport
    public var balance: BalanceReport
    public var lengths: LengthReport
    public var size: SizeReport
    public var signal: SignalReport
    /// How the `tags` lists cover the set (nil when no example has tags; the `tags` row then
    /// is left out).
    public var tags: TagCoverage? = nil

    /// One row per checklist item, in the guide's order.
    public var sections: [CheckSection]

    /// The worst status of any section.
    public var status: CheckStatus { sections.map(\.status).max() ?? .ok }

    /// The section called `name`.
    public func section(_ name: String) -> CheckSection? { sections.first { $0.name == name } }
}
