import AttuneLanguage
import AttuneNotebook
import Datasets
import Essentials
import Foundation
import Tokenization

/// The `data` commands, bound to the Datasets module (one command per file in `Commands/Data/`),
/// and what they share: finding the loaded data set, loading a file into the session, turning
/// Datasets errors into `CommandError`s, and showing paths relative to where they were written.
enum DataCommands {
    static let all: [any RuntimeCommand] = [
        DataLoadCommand(), DataCheckCommand(), DataSplitCommand(), DataShowCommand(), DataDedupCommand(), DataRedactCommand(),
        DataCompareCommand(), DataMixCommand(),
    ]

    /// The loaded data set, or a `NoData` error naming the command and the fix.
    static func dataset(_ context: CommandContext) throws -> Dataset {
        guard let dataset = context.session.dataset else {
            throw CommandError("NoData", "`\(context.command.name)` needs data: load a JSONL file first with `data load \"PATH\"`")
        }
        return dataset
    }

    /// The largest data file `data load` reads (the examples are held in memory).
    public static let maxFileBytes = 4 << 30

    /// Loads `url` and makes it the session's data set: the path, the examples, no split (the
    /// next `train` rebuilds its batches). Returns the loaded set. Changes nothing when it throws.
    @discardableResult
    static func load(_ url: URL, format: DataFormat?, mode: LoadMode, context: CommandContext,
                     at range: SourceRange) throws -> Dataset {
        let dataset = try read(url, format: format, mode: mode, command: "data load", context: context, at: range)
        let session = context.session
        session.dataPath = url
        session.dataset = dataset
        session.split = nil
        dropTraining(session)
        return dataset
    }

    /// Reads the JSONL file at `url` without touching the session: it must exist, be a regular
    /// file (a device would read until memory runs out, a FIFO would block forever) of at most
    /// `maxFileBytes`, and parse. `command` names the command in the folder message.
    static func read(_ url: URL, format: DataFormat?, mode: LoadMode, command: String, context: CommandContext,
                     at range: SourceRange) throws -> Dataset {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CommandError.notFound("no such file: \(displayPath(url, context)); check the name (relative paths start at the notebook's folder, or the current directory in the REPL)", at: range)
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CommandError.invalidValue("\(displayPath(url, context)) is a folder; \(command) takes a JSONL file", at: range)
        }
        do { _ = try RegularFile.size(of: url.path, limit: maxFileBytes) } catch {
            throw CommandError("FileError", "\(displayPath(url, context)) \(error.reason)", at: range)
        }
        do { return try DatasetLoader.load(path: url.path, format: format, mode: mode) } catch {
            throw commandError(error, context: context, at: range)
        }
    }

    /// New data or a new split: the current run ends (its adapter comes off the model, as after
    /// `model` and `method`) and the next `train` rebuilds its batches.
    static func dropTraining(_ session: Session) {
        session.endTraining()
    }

    /// `data/dirty.jsonl: 97 examples (chat, detected) · sha256 0123456789ab`, then every line
    /// lenient loading skipped (`listSkipped`) or their count by kind.
    static func loadSummary(_ dataset: Dataset, url: URL, detected: Bool, listSkipped: Bool, context: CommandContext,
                            sha256 known: String? = nil) -> String {
        var first = "\(displayPath(url, context)): \(NumberText.grouped(dataset.count)) example\(dataset.count == 1 ? "" : "s") (\(dataset.format)\(detected ? ", detected" : ""))"
        if let hash = known ?? sha256(url) { first += " · sha256 \(hash.prefix(12))" }
        var lines = [first]
        if dataset.blankLines > 0 {
            lines.append("\(dataset.blankLines) blank line\(dataset.blankLines == 1 ? "" : "s") ignored")
        }
        if !dataset.skipped.isEmpty {
            let count = dataset.skipped.count
            let kinds = Dictionary(grouping: dataset.skipped, by: \.kind).map { "\($0.value.count) \($0.key.rawValue)" }.sorted()
            lines.append("\(count) invalid line\(count == 1 ? "" : "s") skipped (mode=lenient): " + kinds.joined(separator: ", "))
            if listSkipped { lines += dataset.skipped.map { "  \($0)" } }
        }
        return lines.joined(separator: "\n")
    }

    /// The file's SHA-256 as hex, or nil when it cannot be read.
    static func sha256(_ url: URL) -> String? {
        guard (try? RegularFile.size(of: url.path, limit: maxFileBytes)) != nil,
              let data = try? Data(contentsOf: url, options: .alwaysMapped) else { return nil }
        return ContentHash.sha256Hex(data)
    }

    /// `url` relative to the session's base folder when it lies inside it (`data/dirty.jsonl`),
    /// else its full path. Keeps notebook outputs the same on every machine.
    static func displayPath(_ url: URL, _ context: CommandContext) -> String {
        let base = context.session.paths.base.standardizedFileURL.resolvingSymlinksInPath().pathComponents
        let parts = url.standardizedFileURL.resolvingSymlinksInPath().pathComponents
        guard parts.count > base.count, Array(parts.prefix(base.count)) == base else { return url.path }
        return parts.dropFirst(base.count).joined(separator: "/")
    }

    /// The display form of a path string the Datasets module reports.
    static func displayPath(_ path: String, _ context: CommandContext) -> String {
        displayPath(URL(fileURLWithPath: path), context)
    }

    /// A Datasets error as a `CommandError` whose message names the place (file:line) and the fix,
    /// with full paths shortened as in `displayPath`.
    static func commandError(_ error: any Error, context: CommandContext, at range: SourceRange) -> CommandError {
        if let error = error as? CommandError { return error.located(default: range) }
        guard let error = error as? DatasetError else {
            return CommandError("DataError", "\(error)", at: range)
        }
        switch error {
        case .file(let path, let reason):
            return CommandError("FileError", "\(displayPath(path, context)): \(reason)", at: range)
        case .invalidLines:
            return CommandError("InvalidData", error.description, at: range)
        case .noExamples(let path, let skipped):
            let file = displayPath(path, context)
            return CommandError("InvalidData", skipped > 0
                                ? "\(file): no valid examples (\(skipped) invalid line\(skipped == 1 ? "" : "s") skipped); load it with mode=strict to see the first error"
                                : "\(file): the file has no examples; a JSONL file holds one JSON object per line", at: range)
        case .invalidArgument(let text):
            return CommandError.invalidValue(text, at: range)
        case .cannotRender(let location, let text):
            return CommandError("CannotRender", "\(location): \(text)", at: range)
        }
    }

    /// The renderer for the session's model: its tokenizer and chat template, examples cut at
    /// `seq`. Nil without a model or tokenizer.
    static func renderer(_ context: CommandContext) -> ExampleRenderer? {
        guard let loaded = context.session.model, let tokenizer = loaded.tokenizer else { return nil }
        let seq = context.session.hyperparameters.seq
        return ExampleRenderer(tokenizer: tokenizer, template: loaded.engine?.chatTemplate,
                               options: RenderOptions(sequenceLength: seq))
    }

    /// `dirty.dedup.jsonl` loaded as the session's data set with the format and mode of the one
    /// it was cleaned from (lenient when that one skipped lines: the cleaned copy keeps them).
    static func loadCleaned(_ output: String, from dataset: Dataset, context: CommandContext) throws -> (Dataset, URL) {
        let url: URL
        do { url = try context.session.paths.resolve(output) } catch { throw error.located(default: context.command.range) }
        let mode: LoadMode = dataset.skipped.isEmpty ? .strict : .lenient
        let loaded = try load(url, format: dataset.format, mode: mode, context: context, at: context.command.range)
        return (loaded, url)
    }
}
