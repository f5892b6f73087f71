import AttuneNotebook
import AttuneRuntime
import Foundation
import TensorCore

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

    /// `attune replay NB [-o OUT] [--param k=v]… [--allow-paths DIR[,DIR]] [--numerics MODE]`: re-runs
    /// every cell in a fresh session, in the numerics mode the notebook was recorded in unless
    /// `--numerics` says otherwise, and writes the new notebook (default: `NAME.replay.attune.md`
    /// beside it).
    static func replay(_ arguments: [String]) throws(UsageError) -> Int32 {
        let options = try CommandLineOptions.parse(arguments, command: "replay", flags: ["--quiet"],
                                                   valued: ["-o", "--param", "--allow-paths", "--numerics"])
        let numerics = try options.numerics(command: "replay")
        guard options.positionals.count == 1 else { throw UsageError("replay: give one notebook, e.g. attune replay run.attune.md -o run2.attune.md") }
        let path = options.positionals[0]
        guard var document = read(path, command: "replay") else { return 1 }
        var overrides: [ParameterOverride] = []
        for text in options.values["--param"] ?? [] {
            do { overrides.append(try ParameterOverride.parse(text)) } catch { throw UsageError("replay: --param \(text): \(error)") }
        }
        if !overrides.isEmpty {
            do { document = try document.applyingParameters(overrides) } catch { throw UsageError("replay: \(error)") }
        }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var replayer = NotebookReplayer(folder: url.deletingLastPathComponent(), allowedPaths: options.allowedPaths)
        replayer.warn = { Terminal.err("attune replay: warning: \($0)") }
        replayer.numerics = numerics
        if !options.has("--quiet") {
            replayer.didRun = { cell, run in
                Terminal.out("[\(cell.n)] " + (run.failed ? "error" : "ok") + (cell.hasTag(Cell.Tag.raises) ? " (raises)" : ""))
            }
        }
        let result = replayer.replay(document)
        let output = options.value("-o") ?? defaultReplayPath(url)
        do {
            var replayed = result.document
            try PlotAssets.store(in: &replayed, notebook: URL(fileURLWithPath: output))
            try Data(NotebookWriter.write(replayed).utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            Terminal.err("attune replay: cannot write \(output): \(error.localizedDescription)")
            return 1
        }
        for surprise in result.surprises { Terminal.err("attune replay: cell n=\(surprise.cellNumber): \(surprise.message)") }
        Terminal.out("replayed \(result.document.cells.count) cells → \(output)")
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
    static func verify(_ arguments: [String]) throws(UsageError) -> Int32 {
        let options = try CommandLineOptions.parse(arguments, command: "verify", flags: ["--fix"], valued: ["--allow-paths", "--numerics"])
        let numerics = try options.numerics(command: "verify")
        guard options.positionals.count == 1 else { throw UsageError("verify: give one notebook, e.g. attune verify Notebooks/tiny-model.attune.md") }
        let path = options.positionals[0]
        guard let recorded = read(path, command: "verify") else { return 1 }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let folder = url.deletingLastPathComponent()
        let outcome = NotebookVerification.verify(recorded, folder: folder, allowedPaths: options.allowedPaths, numerics: numerics,
                                                  notebook: path, warn: { Terminal.err("attune verify: warning: \($0)") })
        Terminal.out("\(path): " + outcome.report.rendered)
        let fix = options.has("--fix")
        // A fix also records the numerics mode when the notebook named none or another.
        guard !outcome.report.passed || (fix && outcome.numericsChanged) else { return 0 }
        if fix {
            do {
                var fixed = outcome.fixed
                try PlotAssets.store(in: &fixed, notebook: url)
                try Data(NotebookWriter.write(fixed).utf8).write(to: url, options: .atomic)
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
    static func export(_ arguments: [String]) throws(UsageError) -> Int32 {
        let options = try CommandLineOptions.parse(arguments, command: "export", flags: [], valued: ["--to", "-o"])
        guard options.positionals.count == 1 else { throw UsageError("export: give one notebook, e.g. attune export run.attune.md --to html") }
        guard let format = options.value("--to"), ["ipynb", "html"].contains(format) else {
            throw UsageError("export: --to ipynb or --to html is required")
        }
        let path = options.positionals[0]
        guard let document = read(path, command: "export") else { return 1 }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let assets = AssetSource.folder(url.deletingLastPathComponent())
        let text = format == "ipynb" ? IpynbExporter(assets: assets).exportText(document) : HTMLExporter(assets: assets).export(document)
        var name = url.lastPathComponent
        if name.hasSuffix(".attune.md") { name.removeLast(".attune.md".count) } else if name.hasSuffix(".md") { name.removeLast(3) }
        let output = options.value("-o") ?? url.deletingLastPathComponent().appendingPathComponent(name + "." + format).path
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
