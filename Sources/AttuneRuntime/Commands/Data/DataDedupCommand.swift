import AttuneLanguage
import Datasets
import Foundation

/// `data dedup`: writes a copy without duplicates beside the file and loads it.
struct DataDedupCommand: RuntimeCommand {
    let spec = StandardSpec.named("data dedup")
    let schema = ArgumentSchema.none
    let help = CommandHelp("""
        Removes exact duplicates (after normalising case and spacing) and near duplicates (word \
        shingles, Jaccard 0.8 or more), keeping the first of each group. The original file is never \
        changed: the copy is written beside it as NAME.dedup.jsonl (replacing an earlier one), every \
        removed line is listed with the line it repeats, and the copy becomes the session's data \
        (the split is dropped). Invalid lines are copied as they are.
        """, examples: ["data dedup"])

    func run(_ context: CommandContext) throws {
        let dataset = try DataCommands.dataset(context)
        let report: CleanedCopyReport
        do { report = try CleanedCopy.dedup(dataset) } catch {
            throw DataCommands.commandError(error, context: context, at: context.command.range)
        }
        guard !report.removed.isEmpty else {
            try? FileManager.default.removeItem(atPath: report.output)
            context.result("no exact or near duplicates in \(dataset.fileName); nothing written, the data is unchanged")
            return
        }
        let (cleaned, url) = try DataCommands.loadCleaned(report.output, from: dataset, context: context)
        let output = DataCommands.displayPath(url, context)
        var lines = ["removed \(report.removed.count) duplicate\(report.removed.count == 1 ? "" : "s") from \(dataset.fileName) (\(report.linesWritten) of \(report.linesRead) lines kept):"]
        lines += report.removed.map { "  line \($0[0]) repeats line \($0[1])" }
        lines.append("wrote \(output); now using it:")
        lines.append(DataCommands.loadSummary(cleaned, url: url, detected: false, listSkipped: false, context: context))
        context.result(lines.joined(separator: "\n"))
    }
}
