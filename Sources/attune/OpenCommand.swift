import ArgumentParser
import AttuneNotebook
import AttuneRuntime
import Foundation
import TensorCore

/// `attune open NB [--allow-paths DIR[,DIR]] [--numerics MODE]`: continue a saved session.
///
/// Replays the notebook cell by cell in a fresh session, comparing each cell's outputs with the
/// recording as it goes (the notebook's tolerances and sanitizers, as `verify`). At the first
/// cell that differs it prints the differences and stops, leaving the file as it was. When every
/// cell matched, the REPL starts in the replayed session and appends new cells to the same file.
struct Open: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a notebook, verifying as it goes, then continue it in the REPL.",
        discussion: """
        Stops at the first cell whose outputs differ from the recording (the file is left as it was). \
        New cells are appended to the notebook; relative paths resolve against its folder. While \
        replaying, the notebook may only touch its folder, the cache and --allow-paths.
        """)

    @Argument(help: ArgumentHelp("The notebook (*.attune.md).", valueName: "notebook"), completion: .file(extensions: ["md"]))
    var notebook: String

    @OptionGroup var allowPaths: AllowedPathsOption
    @OptionGroup var numerics: NumericsOption

    func run() throws {
        try exitIfFailed(OpenCommand.open(path: notebook, allowedPaths: allowPaths.urls, allowsNetwork: allowPaths.network, numerics: numerics.mode))
    }
}

enum OpenCommand {
    /// Replays and verifies `path`, then runs the REPL recording into it; the exit status of the
    /// REPL, or 1 when the notebook cannot be read, differs from its replay, or cannot be appended to.
    static func open(path: String, allowedPaths: [URL], allowsNetwork: Bool = false, numerics: NumericsMode?) -> Int32 {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let document: NotebookDocument
        do {
            // A last cell cut off by a killed session is not replayed (and is dropped from the
            // file once recording resumes).
            let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
            document = try NotebookReader.readRecovering(text).document
        } catch {
            Terminal.err("attune open: \(path): \(error)")
            return 1
        }
        let folder = url.deletingLastPathComponent()
        var replayer = NotebookReplayer(folder: folder, allowedPaths: allowedPaths, registry: ServeREPLCommands.registry)
        replayer.numerics = numerics
        replayer.allowsNetwork = allowsNetwork
        replayer.warn = { Terminal.err("attune open: warning: \($0)") }
        let verifier = NotebookVerifier(recorded: document, recordedFolder: folder, replayedFolder: folder)
        var differences: [Mismatch] = []
        replayer.willRun = { cell in Terminal.out("[\(cell.n)] " + (cell.source.split(separator: "\n").first.map(String.init) ?? "")) }
        replayer.shouldContinue = { recorded, replayed in
            differences = verifier.comparator.compare(recorded: recorded, replayed: replayed)
            return differences.isEmpty
        }
        let interpreter = replayer.makeInterpreter(for: document, stop: StopFlag.shared)
        // A review still open in the notebook replays with the key from its sidecar (review export needs it).
        interpreter.session.notebookURL = url
        let result = replayer.replay(document, in: interpreter)
        if let stopped = result.stoppedAfter {
            for difference in differences { Terminal.err(difference.description) }
            Terminal.err("""
                attune open: cell n=\(stopped) gives other outputs than the recording, so the session \
                cannot continue from it; \(path) is unchanged. See every difference with `attune verify \(path)`; \
                `attune verify --fix \(path)` takes the new outputs.
                """)
            return 1
        }
        let recorder: SessionRecorder
        do {
            recorder = try SessionRecorder(resuming: url)
        } catch {
            Terminal.err("attune open: cannot append to \(path): \(error)")
            return 1
        }
        if let dropped = recorder.droppedTail {
            Terminal.err("attune open: warning: dropped an unfinished last cell from \(path) (\(dropped))")
        }
        let session = interpreter.session
        // The user is at the keyboard now: every path is allowed, relative to the notebook's folder
        // (as the recorded cells, so the notebook replays the same way).
        session.paths = .unrestricted(base: folder)
        recorder.observe(session)
        let ran = document.cells.filter { !$0.hasTag(Cell.Tag.skip) }.count
        let skipped = document.cells.count - ran
        Terminal.out("opened \(path): \(ran) cells replayed, every output matches" + (skipped > 0 ? " (\(skipped) skipped)" : ""))
        let banner = "Attune \(AttuneVersion.current) · seed \(session.seed) · continuing \(url.path)"
        return REPL.start(interpreter: interpreter, recorder: recorder, banner: banner)
    }
}
