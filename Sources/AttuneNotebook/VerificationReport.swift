/// The outcome of comparing a recorded notebook with its replay.
public struct VerificationReport: Sendable, Equatable {
    /// Every difference, in cell and output order.
    public var mismatches: [Mismatch]
    /// Cells compared.
    public var cellsCompared: Int
    /// Outputs compared (recorded side).
    public var outputsCompared: Int
    /// Problems with the comparison itself (a sanitizer that does not compile…) and what explains
    /// the differences (a notebook recorded in `fast` numerics).
    public var notes: [String]
    /// Cells tagged `skip`: neither replayed nor compared.
    public var skipped: [SkippedCell]

    /// A cell verification left alone, and why.
    public struct SkippedCell: Sendable, Equatable {
        public var cellNumber: Int
        /// The cell's `skip_reason`, if it has one.
        public var reason: String?
        public init(cellNumber: Int, reason: String? = nil) {
            self.cellNumber = cellNumber
            self.reason = reason
        }
    }

    public init(mismatches: [Mismatch] = [], cellsCompared: Int = 0, outputsCompared: Int = 0, notes: [String] = [],
                skipped: [SkippedCell] = []) {
        self.mismatches = mismatches
        self.cellsCompared = cellsCompared
        self.outputsCompared = outputsCompared
        self.notes = notes
        self.skipped = skipped
    }

    /// True when every output matched (`attune verify` exits 0 exactly then).
    public var passed: Bool { mismatches.isEmpty }

    /// Execution numbers of cells with at least one difference.
    public var mismatchedCellNumbers: [Int] {
        var seen: [Int] = []
        for m in mismatches where !seen.contains(m.cellNumber) { seen.append(m.cellNumber) }
        return seen
    }

    /// The human-readable report: one block per difference, then a summary line.
    public var rendered: String {
        var lines = notes.map { "note: " + $0 }
        lines += mismatches.map(\.description)
        lines += skipped.map { "skipped: cell n=\($0.cellNumber) is tagged skip" + ($0.reason.map { " (\($0))" } ?? "") + ", not replayed or compared" }
        let cells = mismatchedCellNumbers.count
        let skippedText = skipped.isEmpty ? "" : "; \(skipped.count) skipped"
        if passed {
            lines.append("verified: \(cellsCompared) cells, \(outputsCompared) outputs match\(skippedText)")
        } else {
            lines.append("FAILED: \(mismatches.count) difference\(mismatches.count == 1 ? "" : "s") in \(cells) of \(cellsCompared) cells\(skippedText)")
        }
        return lines.joined(separator: "\n")
    }
}
