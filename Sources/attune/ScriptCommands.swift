import AttuneNotebook
import AttuneRuntime
import Foundation

/// `attune run FILE` and `attune -c 'STATEMENTS'`.
enum ScriptCommands {
    /// `attune run FILE [--notebook OUT] [--keep-going] [--allow-paths DIR[,DIR]]`: a script
    /// (`.attune`) or a notebook (`.attune.md`), with relative paths resolved against its folder and
    /// files confined to that folder and the cache.
    static func run(_ arguments: [String]) throws(UsageError) -> Int32 {
        let options = try CommandLineOptions.parse(arguments, command: "run", flags: ["--keep-going"], valued: ["--notebook", "--allow-paths", "--seed"])
        guard options.positionals.count == 1 else { throw UsageError("run: give one file, e.g. attune run Notebooks/tiny-model.attune.md") }
        let path = options.positionals[0]
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let folder = url.deletingLastPathComponent()
        guard let data = FileManager.default.contents(atPath: url.path) else {
            Terminal.err("attune run: cannot read \(path)")
            return 1
        }
        let text = String(decoding: data, as: UTF8.self)
        if path.hasSuffix(".md") {
            return runNotebook(text, path: path, folder: folder, options: options)
        }
        let seed = try seedOption(options) ?? Session.defaultSeed
        let session = Session(seed: seed, paths: .confined(to: folder, extra: options.allowedPaths))
        return runScript(text, label: url.lastPathComponent, session: session, options: options)
    }

    /// `attune -c 'STATEMENTS' [--notebook OUT] [--keep-going]`: paths relative to the current directory, unrestricted.
    static func inline(_ arguments: [String]) throws(UsageError) -> Int32 {
        let options = try CommandLineOptions.parse(arguments, command: "-c", flags: ["--keep-going"], valued: ["--notebook", "--seed"])
        guard options.positionals.count == 1 else { throw UsageError("-c: give the statements as one argument, e.g. attune -c 'model new tiny\nmodel info'") }
        let session = Session(seed: try seedOption(options) ?? Session.defaultSeed)
        return runScript(options.positionals[0], label: "-c", session: session, options: options)
    }

    static func seedOption(_ options: CommandLineOptions) throws(UsageError) -> UInt64? {
        guard let text = options.value("--seed") else { return nil }
        guard let seed = UInt64(text), seed <= 9_007_199_254_740_991 else { throw UsageError("--seed needs a whole number from 0 to 2^53-1, got \(text)") }
        return seed
    }

    static func runScript(_ source: String, label: String, session: Session, options: CommandLineOptions) -> Int32 {
        session.liveStream = { Terminal.out($0) }
        var runner = ScriptRunner(interpreter: Interpreter(session: session)) { text, isError in
            isError ? Terminal.err(text) : Terminal.out(text)
        }
        runner.keepGoing = options.has("--keep-going")
        if let notebook = options.value("--notebook") {
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
    static func runNotebook(_ text: String, path: String, folder: URL, options: CommandLineOptions) -> Int32 {
        let document: NotebookDocument
        do { document = try NotebookReader.read(text) } catch {
            Terminal.err("attune run: \(path): \(error)")
            return 1
        }
        var replayer = NotebookReplayer(folder: folder, allowedPaths: options.allowedPaths)
        replayer.liveStream = { Terminal.out($0) }
        replayer.warn = { Terminal.err("attune run: warning: \($0)") }
        let stops = !options.has("--keep-going")
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
