/// The compact table `data check` prints in the REPL.
extension DataCheckReport {
    /// A header line, one row per section (status, count, summary, fix), then the worst
    /// examples of each section that has any.
    public func table(maxWidth: Int = 120) -> String {
        var lines = ["data check: \(file), \(examples.grouped) \(format) examples"
                     + (goal.map { ", goal \($0.rawValue)" } ?? "")
                     + (skippedLines > 0 ? ", \(skippedLines) invalid lines skipped at load" : "")]
        let nameWidth = sections.map(\.name.count).max() ?? 8
        let countWidth = max(5, sections.map { String($0.count).count }.max() ?? 1)
        lines.append("  " + "check".leftAligned(nameWidth) + "  " + "state" + "  " + "count".leftAligned(countWidth) + "  details")
        for section in sections {
            var row = "  " + section.name.leftAligned(nameWidth) + "  " + section.status.symbol.leftAligned(5) + "  "
                + String(section.count).leftAligned(countWidth) + "  " + section.summary
            if row.count > maxWidth { row = String(row.prefix(maxWidth - 1)) + "…" }
            lines.append(row)
        }
        for section in sections where !section.worst.isEmpty || section.fix != nil {
            guard section.status == .warning || section.status == .problem else { continue }
            lines.append("\(section.name):" + (section.fix.map { " fix: \($0)" } ?? ""))
            for reference in section.worst { lines.append("    \(reference)") }
        }
        return lines.joined(separator: "\n")
    }
}
