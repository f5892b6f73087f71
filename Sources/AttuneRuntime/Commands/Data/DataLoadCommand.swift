import AttuneLanguage
import Datasets
import Foundation

/// `data load PATH [format=] [mode=strict|lenient]`: reads a JSONL file into the session.
struct DataLoadCommand: RuntimeCommand {
    let spec = StandardSpec.named("data load")
    let schema = ArgumentSchema([
        .positional("path", .path, "a JSONL file"),
        .keyed("format", .choice(["chat", "instruction", "completion", "text"]), default: "detected", "the record format"),
        .keyed("mode", .choice(["strict", "lenient"]), default: "strict", "strict stops at the first bad line; lenient skips bad lines and reports them"),
    ])
    let help = CommandHelp("""
        Loads a JSONL dataset: chat ({"messages": [...]}), instruction ({"instruction", "input", "output"}), \
        completion ({"prompt", "completion"}) or text ({"text"}), detected from the first records unless \
        format= says. mode=strict (the default) stops at the first bad line with its file:line and \
        what to fix; mode=lenient skips bad lines and lists every one. The result shows the number of \
        examples and the first 12 hex digits of the file's SHA-256; a recorded session also notes the \
        file and its whole hash in the notebook's front matter (data), so replay and verify warn when \
        the file changed since. Loading new data \
        drops the split and ends the current run; the next train starts over with the new data. Relative paths resolve \
        against the notebook's folder (run, replay, verify) or the current directory.
        """, examples: ["data load \"data/support.jsonl\"", "data load \"data/notes.jsonl\" format=text mode=lenient"])

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        guard let path = a.word("path") else { return }
        let url = try context.resolvePath(path, argument: "path")
        let format = a.word("format").flatMap(DataFormat.init(named:))
        let mode = a.word("mode").flatMap(LoadMode.init(rawValue:)) ?? .strict
        let dataset = try DataCommands.load(url, format: format, mode: mode, context: context, at: context.range(of: "path"))
        let hash = DataCommands.sha256(url)
        context.result(DataCommands.loadSummary(dataset, url: url, detected: format == nil, listSkipped: true, context: context, sha256: hash))
        if let hash { context.session.dataFileObserver?(url, hash) }
    }
}
