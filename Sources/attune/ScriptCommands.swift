import ArgumentParser
import AttuneNotebook
import AttuneRuntime
import Foundation

/// `attune run FILE [--notebook OUT] [--keep-going] [--allow-paths DIR[,DIR]] [--seed N]`: a script
/// (`.attune`) or a notebook (`.attune.md`), with relative paths resolved against its folder and
/// files confined to that folder and the cache.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a script (*.attune) or a notebook (*.attune.md).")

    @Argument(help: ArgumentHelp("The script or notebook.", valueName: "file"), completion: .file(extensions: ["attune", "md"]))
    var file: String

    @Option(help: ArgumentHelp("Record the run to this notebook.", valueName: "out"), completion: .file(extensions: ["md"]))
    var notebook: String?

    @Flag(help: "Run the rest after a statement or cell fails (the exit status is still 1).")
    var keepGoing = false

    @OptionGroup var allowPaths: AllowedPathsOption
    @OptionGroup var seed: SeedOption

    func run() throws {
        try exitIfFailed(ScriptCommands.run(path: file, notebook: notebook, keepGoing: keepGoing,
                                            allowedPaths: allowPaths.urls, allowsNetwork: allowPaths.network, seed: seed.value))
    }
}

/// Running scripts (`attune run`, `attune -c`) and notebooks (`attune run NB`).
enum ScriptCommands {
    static func run(path: String, notebook: String?, keepGoing: Bool, allowedPaths: [URL], allowsNetwork: Bool = false, seed: UInt64?) -> Int32 {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let folder = url.deletingLastPathComponent()
        guard let data = FileManager.default.contents(atPath: url.path) else {
            Terminal.err("attune run: cannot read \(path)")
            return 1
        }
        let text = String(decoding: data, as: UTF8.self)
        if path.hasSuffix(".md") {
            return runNotebook(text, path: path, folder: folder, allowedPaths: allowedPaths, allowsNetwork: allowsNetwork, keepGoing: keepGoing)
        }
        let session = Session(seed: seed ?? Session.defaultSeed, paths: .confined(to: folder, extra: allowedPaths, allowsNetwork: allowsNetwork))
        return runScript(text, label: url.lastPathComponent, session: session, keepGoing: keepGoing, notebook: notebook)
    }

    static func runScript(_ source: String, label: String, session: Session, keepGoing: Bool, notebook: String?) -> Int32 {
        session.liveStream = { Terminal.out($0) }
        var runner = ScriptRunner(interpreter: Interpreter(session: session, registry: ServeREPLCommands.registry)) { text, isError in
            isError ? Terminal.err(text) : Terminal.out(text)
        }
        runner.keepGoing = keepGoing
        if let notebook {
            do {
                let recorder = try SessionRecorder(creating: URL(fileURLWithPath: notebook), seed: session.seed, title: "attune run \(label)",
                                                   numerics: NumericsProvenance.current(mode: session.hyperparameters.numerics))
                recorder.observe(session)
                runner.recorder = recorder
            } catch {
                Terminal.err("attune: cannot record to \(notebook): \(error)")
                return 1
            }
        }
        return runner.run(source: source, fileLabel: label) ? 0 : 1
    }

    /// Runs a notebook's cells in order and prints their outputs; an error in a cell not tagged
    /// `raises` stops it (unless --keep-going) and makes the exit status 1.
    static func runNotebook(_ text: String, path: String, folder: URL, allowedPaths: [URL], allowsNetwork: Bool = false, keepGoing: Bool) -> Int32 {
        let document: NotebookDocument
        do { document = try NotebookReader.read(text) } catch {
            Terminal.err("attune run: \(path): \(error)")
            return 1
        }
        var replayer = NotebookReplayer(folder: folder, allowedPaths: allowedPaths, registry: ServeREPLCommands.registry)
        replayer.liveStream = { Terminal.out($0) }
        replayer.allowsNetwork = allowsNetwork
        replayer.warn = { Terminal.err("attune run: warning: \($0)") }
        let stops = !keepGoing
        replayer.stopsAtUnexpectedError = stops
        var failed = false
        replayer.willRun = { cell in
            Terminal.out("[\(cell.n)] " + cell.source.replacingOccurrences(of: "\n", with: "\n    "))
        }
        replayer.didRun = { cell, run in
            let shown = run.terminalText(streamShown: true)
            if !shown.stdout.isEmpty { Terminal.out(shown.stdout) }
            if !shown.stderr.isEmpty { Terminal.err(shown.stderr) }
            if run.failed, !cell.hasTag(Cell.Tag.raises) {
                failed = true
                if stops { Terminal.err("attune run: cell n=\(cell.n) failed; stopping (--keep-going runs the rest)") }
            }
        }
        let result = replayer.replay(document)
        for surprise in result.surprises where surprise.message.hasPrefix("the cell is tagged raises") {
            Terminal.err("attune run: cell n=\(surprise.cellNumber): \(surprise.message)")
            failed = true
        }
        return failed ? 1 : 0
    }
}
