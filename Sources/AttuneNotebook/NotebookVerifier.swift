import Foundation

/// Verifies a replayed notebook against its recording and applies `--fix`.
///
/// Cells are paired by id when the replay kept every recorded id, otherwise by position;
/// recorded cells tagged `skip` are not compared (the report lists them, with their `skip_reason`).
public struct NotebookVerifier: Sendable {
    public let comparator: OutputComparator

    public init(comparator: OutputComparator) {
        self.comparator = comparator
    }

    /// A verifier using the recorded notebook's `verify` settings, reading series files beside
    /// each notebook (`recordedFolder`, `replayedFolder`).
    public init(recorded: NotebookDocument, recordedFolder: URL, replayedFolder: URL) {
        let settings = recorded.frontMatter?.verify ?? VerifySettings()
        self.init(comparator: OutputComparator(settings: settings, recordedAssets: .folder(recordedFolder),
                                               replayedAssets: .folder(replayedFolder)))
    }

    /// Pairs each compared recorded cell with its replayed counterpart (nil when missing).
    public func pairs(recorded: NotebookDocument, replayed: NotebookDocument) -> [(recorded: Cell, replayed: Cell?)] {
        let compared = recorded.cells.filter { !$0.hasTag(Cell.Tag.skip) }
        let replayedCells = replayed.cells
        let byID = Dictionary(replayedCells.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        if compared.allSatisfy({ byID[$0.id] != nil }) {
            return compared.map { ($0, byID[$0.id]) }
        }
        let candidates = replayedCells.filter { !$0.hasTag(Cell.Tag.skip) }
        return compared.enumerated().map { index, cell in (cell, index < candidates.count ? candidates[index] : nil) }
    }

    /// Compares every recorded output with the replay's.
    public func verify(recorded: NotebookDocument, replayed: NotebookDocument) -> VerificationReport {
        var report = VerificationReport(notes: comparator.sanitizer.invalidRules)
        report.skipped = recorded.cells.filter { $0.hasTag(Cell.Tag.skip) }.map { .init(cellNumber: $0.n, reason: $0.skipReason) }
        for (cell, replay) in pairs(recorded: recorded, replayed: replayed) {
            report.cellsCompared += 1
            report.outputsCompared += cell.outputs.count
            guard let replay else {
                report.mismatches.append(Mismatch(cellNumber: cell.n, cellID: cell.id, message: "cell was not replayed",
                                                  expected: cell.source))
                continue
            }
            if replay.source != cell.source {
                report.mismatches.append(Mismatch(cellNumber: cell.n, cellID: cell.id, message: "replayed source differs",
                                                  expected: cell.source, actual: replay.source))
            }
            report.mismatches += comparator.compare(recorded: cell, replayed: replay)
        }
        return report
    }

    /// `verify --fix`: the recorded notebook with the outputs of every mismatched cell replaced
    /// by the replay's (prose, numbering, ids and matching cells untouched).
    public func fixing(recorded: NotebookDocument, replayed: NotebookDocument, report: VerificationReport) -> NotebookDocument {
        let wrong = Set(report.mismatchedCellNumbers)
        let replacements = Dictionary(pairs(recorded: recorded, replayed: replayed).compactMap { pair in
            pair.replayed.map { (pair.recorded.n, $0.outputs) }
        }, uniquingKeysWith: { first, _ in first })
        var fixed = recorded
        fixed.updateCells { cell in
            if wrong.contains(cell.n), let outputs = replacements[cell.n] { cell.outputs = outputs }
        }
        return fixed
    }
}
