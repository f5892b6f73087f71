/// The outcome of comparing a recorded notebook with its replay.
public struct VerificationReport: Sendable, Equatable {
    /// Every difference, in cell and output order.
    public var mismatches: [Mismatch]
    /// Cells compared.
    public var cellsCompared: Int
    /// Outputs compared (recorded side).
    public var outputsCompared: Int
    /// Problems with the comparison itself (a sanitizer that does not compile…).
    public var notes: [String]

    public init(mismatches: [Mismatch] = [], cellsCompared: Int = 0, outputsCompared: Int = 0, notes: [String] = []) {
        self.mismatches = mismatches
        self.cellsCompared = cellsCompared
        self.outputsCompared = outputsCompared
        self.notes = notes
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
        let cells = mismatchedCellNumbers.count
        if passed {
            lines.append("verified: \(cellsCompared) cells, \(outputsCompared) outputs match")
        } else {
            lines.append("FAILED: \(mismatches.count) difference\(mismatches.count == 1 ? "" : "s") in \(cells) of \(cellsCompared) cells")
        }
        return lines.joined(separator: "\n")
    }
}
