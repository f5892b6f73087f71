import AttuneLanguage
import Datasets
import Foundation

/// `data redact`: writes a copy with personal data masked beside the file and loads it.
struct DataRedactCommand: RuntimeCommand {
    let spec = StandardSpec.named("data redact")
    let schema = ArgumentSchema.none
    let help = CommandHelp("""
        Masks emails, phone numbers, card numbers, national ids, IBANs, IP addresses, API keys, \
        secrets and URLs with credentials in every string of every line with typed placeholders such \
        as [EMAIL]. The original file is never changed: the copy is written beside it as \
        NAME.redacted.jsonl (replacing an earlier one), the result counts the replacements by kind \
        and lists the changed lines, and the copy becomes the session's data (the split is dropped).
        """, examples: ["data redact"])

    func run(_ context: CommandContext) throws {
        let dataset = try DataCommands.dataset(context)
        let report: CleanedCopyReport
        do { report = try CleanedCopy.redact(dataset.path) } catch {
            throw DataCommands.commandError(error, context: context, at: context.command.range)
        }
        guard !report.changedLines.isEmpty else {
            try? FileManager.default.removeItem(atPath: report.output)
            context.result("no personal data found in \(dataset.fileName); nothing written, the data is unchanged")
            return
        }
        let (cleaned, url) = try DataCommands.loadCleaned(report.output, from: dataset, context: context)
        let output = DataCommands.displayPath(url, context)
        let kinds = report.replacements.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.rawValue)" }
        let changed = report.changedLines.count
        var lines = ["redacted \(changed) line\(changed == 1 ? "" : "s") of \(dataset.fileName): " + kinds.joined(separator: ", ")]
        lines.append("  lines " + report.changedLines.map(String.init).joined(separator: ", "))
        lines.append("wrote \(output); now using it:")
        lines.append(DataCommands.loadSummary(cleaned, url: url, detected: false, listSkipped: false, context: context))
        context.result(lines.joined(separator: "\n"))
    }
}
