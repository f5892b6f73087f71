import ArgumentParser
import AttuneNotebook
import AttuneRuntime
import Foundation
import TensorCore

/// `attune replay NB [-o OUT] [--to N] [--param k=v]… [--allow-paths DIR[,DIR]] [--numerics MODE] [--quiet]`.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-run a notebook in a fresh engine and write the new notebook.",
        discussion: "Runs in the numerics mode the notebook was recorded in unless --numerics says otherwise.")

    @Argument(help: ArgumentHelp("The notebook (*.attune.md).", valueName: "notebook"), completion: .file(extensions: ["md"]))
    var notebook: String

    @Option(name: .customShort("o"), help: ArgumentHelp("Where to write the replayed notebook (default NAME.replay.attune.md beside it).", valueName: "out"),
            completion: .file(extensions: ["md"]))
    var output: String?

    @Option(name: .customLong("param"), help: ArgumentHelp("Override a parameter of the notebook (may repeat).", valueName: "k=v"))
    var parameters: [String] = []

    @Option(name: .customLong("to"), help: ArgumentHelp("Stop after the cell numbered N; later cells keep their recorded outputs.",
                                                         valueName: "N"))
    var lastCell: Int?

    @OptionGroup var allowPaths: AllowedPathsOption
    @OptionGroup var numerics: NumericsOption

    @Flag(help: "Do not print a line per cell.")
    var quiet = false

    func validate() throws {
        if let lastCell, lastCell < 1 { throw ValidationError("--to \(lastCell): cells are numbered from 1; give the number of the last cell to run") }
        for text in parameters {
            do { _ = try ParameterOverride.parse(text) } catch { throw ValidationError("--param \(text): \(error)") }
        }
    }

    func run() throws {
        try exitIfFailed(NotebookCommands.replay(path: notebook, output: output, parameters: parameters, lastCell: lastCell,
                                                 allowedPaths: allowPaths.urls, allowsNetwork: allowPaths.network, numerics: numerics.mode, quiet: quiet))
    }
}

/// `attune verify NB [--fix] [--allow-paths DIR[,DIR]] [--numerics MODE]`.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a notebook and compare every output; exit status 0 only if all match.",
        discussion: "Numbers compare within the notebook's tolerances, text after its sanitizers, plots by their series.")

    @Argument(help: ArgumentHelp("The notebook (*.attune.md).", valueName: "notebook"), completion: .file(extensions: ["md"]))
    var notebook: String

    @Flag(help: "Rewrite the outputs that differ, record the numerics mode the replay ran in, and delete the files of the charts it replaced.")
    var fix = false

    @Option(name: .customLong("param"), help: ArgumentHelp("Override a parameter of the notebook (may repeat); outputs that depend on it will differ, asserts must still hold.", valueName: "k=v"))
    var parameters: [String] = []

    @OptionGroup var allowPaths: AllowedPathsOption
    @OptionGroup var numerics: NumericsOption

    func validate() throws {
        for text in parameters {
            do { _ = try ParameterOverride.parse(text) } catch { throw ValidationError("--param \(text): \(error)") }
        }
    }

    func run() throws {
        try exitIfFailed(NotebookCommands.verify(path: notebook, fix: fix, parameters: parameters, allowedPaths: allowPaths.urls, allowsNetwork: allowPaths.network,
                                                 numerics: numerics.mode))
    }
}

/// `attune export NB --to ipynb|html [-o OUT]`.
struct Export: ParsableCommand {
    enum Format: String, CaseIterable, ExpressibleByArgument { case ipynb, html }

    static let configuration = CommandConfiguration(abstract: "Export a notebook to Jupyter (.ipynb) or a standalone HTML page.")

    @Argument(help: ArgumentHelp("The notebook (*.attune.md).", valueName: "notebook"), completion: .file(extensions: ["md"]))
    var notebook: String

    @Option(help: ArgumentHelp("The format.", valueName: "ipynb|html"))
    var to: Format

    @Option(name: .customShort("o"), help: ArgumentHelp("Where to write (default beside the notebook with the new extension).", valueName: "out"),
            completion: .file())
    var output: String?

    func run() throws {
        try exitIfFailed(NotebookCommands.export(path: notebook, format: to.rawValue, output: output))
    }
}

/// `attune replay`, `attune verify` and `attune export`.
enum NotebookCommands {
    /// Reads a notebook or explains why not.
    static func read(_ path: String, command: String) -> NotebookDocument? {
        do {
            return try NotebookReader.read(contentsOf: URL(fileURLWithPath: path))
        } catch {
            Terminal.err("attune \(command): \(path): \(error)")
            return nil
        }
    }

    /// `attune replay NB [-o OUT] [--to N] [--param k=v]… [--allow-paths DIR[,DIR]] [--numerics MODE]`:
    /// re-runs every cell (up to cell N with `--to`) in a fresh session, in the numerics mode the
    /// notebook was recorded in unless `--numerics` says otherwise, and writes the new notebook
    /// (default: `NAME.replay.attune.md` beside it).
    static func replay(path: String, output: String?, parameters: [String], lastCell: Int? = nil, allowedPaths: [URL], allowsNetwork: Bool = false,
                       numerics: NumericsMode?, quiet: Bool) throws -> Int32 {
        guard var document = read(path, command: "replay") else { return 1 }
        if let lastCell, !document.cells.contains(where: { $0.n == lastCell }) {
            let numbers = document.cells.map(\.n)
            let range = numbers.isEmpty ? "it has no cells" : "its cells are numbered \(numbers.min()!)–\(numbers.max()!)"
            Terminal.err("attune replay: --to \(lastCell): \(path) has no cell n=\(lastCell); \(range)")
            return 2
        }
        let overrides = try parameters.map { text in
            do { return try ParameterOverride.parse(text) } catch { throw ValidationError("--param \(text): \(error)") }
        }
        if !overrides.isEmpty {
            do { document = try document.applyingParameters(overrides) } catch { throw ValidationError("\(error)") }
        }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var replayer = NotebookReplayer(folder: url.deletingLastPathComponent(), allowedPaths: allowedPaths, registry: ServeREPLCommands.registry)
        replayer.warn = { Terminal.err("attune replay: warning: \($0)") }
        replayer.allowsNetwork = allowsNetwork
        replayer.numerics = numerics
        replayer.lastCell = lastCell
        if !quiet {
            replayer.didRun = { cell, run in
                Terminal.out("[\(cell.n)] " + (run.failed ? "error" : "ok") + (cell.hasTag(Cell.Tag.raises) ? " (raises)" : ""))
            }
        }
        let output = output ?? defaultReplayPath(url)
        if let problem = OutputPathCheck.problem(writing: output) {
            Terminal.err("attune replay: cannot write \(output): \(problem); nothing was run")
            return 1
        }
        let result = replayer.replay(document)
        do {
            var replayed = result.document
            try PlotAssets.store(in: &replayed, notebook: URL(fileURLWithPath: output))
            try Data(NotebookWriter.write(replayed).utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            Terminal.err("attune replay: cannot write \(output): \(error.localizedDescription)")
            return 1
        }
        for surprise in result.surprises { Terminal.err("attune replay: cell n=\(surprise.cellNumber): \(surprise.message)") }
        if let last = result.stoppedAfter, lastCell != nil {
            let ran = result.document.cells.filter { $0.n <= last && !$0.hasTag(Cell.Tag.skip) }.count
            let kept = result.document.cells.filter { $0.n > last }.count
            Terminal.out("replayed \(ran) cells, stopped after cell n=\(last) (--to); \(kept) later cells keep their recorded outputs → \(output)")
        } else {
            Terminal.out("replayed \(result.document.cells.count) cells → \(output)")
        }
        return result.surprises.isEmpty ? 0 : 1
    }

    /// `run.attune.md` → `run.replay.attune.md`.
    static func defaultReplayPath(_ url: URL) -> String {
        var name = url.lastPathComponent
        if name.hasSuffix(".attune.md") { name.removeLast(".attune.md".count) } else if name.hasSuffix(".md") { name.removeLast(3) }
        return url.deletingLastPathComponent().appendingPathComponent(name + ".replay.attune.md").path
    }

    /// `attune verify NB [--fix] [--allow-paths DIR[,DIR]] [--numerics MODE]`: replays (in the
    /// recorded numerics mode unless `--numerics` says otherwise) and compares every output with the
    /// notebook's tolerances; exit 0 only when all match. `--fix` rewrites the mismatched outputs and
    /// records the mode the replay ran in.
    static func verify(path: String, fix: Bool, parameters: [String] = [], allowedPaths: [URL], allowsNetwork: Bool = false, numerics: NumericsMode?) throws -> Int32 {
        guard var recorded = read(path, command: "verify") else { return 1 }
        // --param k=v: the parameters cell's `k=…` or `let k = …` takes the new value before the replay.
        let overrides = try parameters.map { text in
            do { return try ParameterOverride.parse(text) } catch { throw ValidationError("--param \(text): \(error)") }
        }
        if !overrides.isEmpty {
            do { recorded = try recorded.applyingParameters(overrides) } catch { throw ValidationError("\(error)") }
            if fix { throw ValidationError("--fix cannot be combined with --param: it would record the overridden values") }
        }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let folder = url.deletingLastPathComponent()
        let outcome = NotebookVerification.verify(recorded, folder: folder, allowedPaths: allowedPaths, numerics: numerics,
                                                  notebook: path, registry: ServeREPLCommands.registry, allowsNetwork: allowsNetwork,
                                                  warn: { Terminal.err("attune verify: warning: \($0)") })
        Terminal.out("\(path): " + outcome.report.rendered)
        // A fix also records the numerics mode when the notebook named none or another.
        guard !outcome.report.passed || (fix && outcome.numericsChanged) else { return 0 }
        if fix {
            do {
                var fixed = outcome.fixed
                try PlotAssets.store(in: &fixed, notebook: url)
                try Data(NotebookWriter.write(fixed).utf8).write(to: url, options: .atomic)
                // The old files of the charts it re-recorded are no longer named by the notebook.
                let removed = PlotAssets.removeReplaced(previous: recorded, current: fixed, notebook: url)
                if !removed.isEmpty { Terminal.out("removed \(removed.count) replaced plot file(s): \(removed.joined(separator: ", "))") }
                let cells = outcome.report.mismatchedCellNumbers.count, mode = outcome.numerics.rawValue
                Terminal.out(cells == 0 ? "fixed: every output matched; recorded \(mode) numerics in the front matter of \(path)"
                                        : "fixed: rewrote the outputs of \(cells) cell(s) in \(path) and recorded \(mode) numerics")
                return 0
            } catch {
                Terminal.err("attune verify: cannot write \(path): \(error.localizedDescription)")
                return 1
            }
        }
        return 1
    }

    /// `attune export NB --to ipynb|html [-o OUT]` (default OUT beside NB with the new extension).
    static func export(path: String, format: String, output: String?) -> Int32 {
        guard let document = read(path, command: "export") else { return 1 }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let assets = AssetSource.folder(url.deletingLastPathComponent())
        let text = format == "ipynb" ? IpynbExporter(assets: assets).exportText(document) : HTMLExporter(assets: assets).export(document)
        var name = url.lastPathComponent
        if name.hasSuffix(".attune.md") { name.removeLast(".attune.md".count) } else if name.hasSuffix(".md") { name.removeLast(3) }
        let output = output ?? url.deletingLastPathComponent().appendingPathComponent(name + "." + format).path
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            Terminal.err("attune export: cannot write \(output): \(error.localizedDescription)")
            return 1
        }
        Terminal.out("exported \(document.cells.count) cells → \(output)")
        return 0
    }
}
