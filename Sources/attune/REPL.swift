import Essentials
import AttuneLanguage
import AttuneNotebook
import AttuneRuntime
import Foundation

/// `attune` with no command: the interactive shell. Reads statements (more lines while one is
/// unfinished), runs them, prints results and errors, records every statement as a notebook cell
/// and a history entry. Ctrl-C clears the line (or stops a running command at its next safe
/// point); Ctrl-D or `exit` ends the session — every cell is already saved.
struct REPL {
    let interpreter: Interpreter
    let reader: LineReader
    let recorder: SessionRecorder?
    let history: HistoryFile?
    let interactive: Bool

    /// `attune [--notebook PATH | --no-notebook] [--seed N]`.
    static func main(notebook: String?, noNotebook: Bool, seed chosenSeed: UInt64?) -> Int32 {
        let seed = chosenSeed ?? Session.defaultSeed
        let session = Session(seed: seed, stop: StopFlag.shared)
        let interpreter = Interpreter(session: session, registry: ServeREPLCommands.registry)
        var recorder: SessionRecorder?
        if !noNotebook {
            let path = notebook ?? SessionRecorder.defaultFileName()
            do {
                recorder = try SessionRecorder(creating: URL(fileURLWithPath: path), seed: seed, title: "Attune session " + Self.dateText(),
                                               numerics: NumericsProvenance.current(mode: session.hyperparameters.numerics))
                recorder?.observe(session)
            } catch {
                Terminal.err("attune: cannot record to \(path): \(error) (choose another file with --notebook PATH, or --no-notebook)")
                return 1
            }
        }
        var banner = "Attune \(AttuneVersion.current) · seed \(seed)"
        banner += recorder.map { " · recording to \($0.recorder.url.path)" } ?? " · not recording"
        return start(interpreter: interpreter, recorder: recorder, banner: banner)
    }

    /// Runs the shell on `interpreter` (a new session, or one `attune open` replayed a notebook
    /// into), recording to `recorder`; `banner` is the first line an interactive user sees.
    static func start(interpreter: Interpreter, recorder: SessionRecorder?, banner: String) -> Int32 {
        let session = interpreter.session
        let interactive = Terminal.inputIsTerminal
        SignalHandling.installInterruptHandler()
        let reader: LineReader
        var history: HistoryFile?
        if interactive, let editor = EditLineReader(completer: Completer(registry: interpreter.registry, session: session)) {
            reader = editor
            let file = HistoryFile(url: AttunePaths.history)
            for entry in file.load() { editor.addHistory(entry) }
            history = file
            Terminal.out(banner + "\nType help for the commands, ?lr for a hyperparameter, Tab to complete; Ctrl-D saves and quits.")
        } else {
            reader = PlainLineReader()
        }
        session.liveStream = { Terminal.out($0) }
        // `review` asks its questions on the same input: the line editor, or the lines piped in after it.
        session.notebookURL = recorder?.recorder.url
        session.ask = { question in
            Terminal.out(question)
            if case .line(let answer) = reader.readLine(continuation: true) { return answer }
            return nil
        }
        let repl = REPL(interpreter: interpreter, reader: reader, recorder: recorder, history: history, interactive: interactive)
        return repl.loop()
    }

    static func dateText() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: Date())
    }

    /// Reads and runs until end of input; the exit status is 1 when input was piped and a statement failed.
    func loop() -> Int32 {
        var anyFailure = false
        var buffer: [String] = []
        while true {
            switch reader.readLine(continuation: !buffer.isEmpty) {
            case .end:
                if !buffer.isEmpty { anyFailure = submit(buffer.joined(separator: "\n")) || anyFailure }
                finish()
                return interactive || !anyFailure ? 0 : 1
            case .interrupted:
                buffer = []
                interpreter.session.stop.clear()
                Terminal.out("")
                continue
            case .line(let line):
                buffer.append(line)
                let source = buffer.joined(separator: "\n")
                if buffer.count == 1, ["exit", "quit"].contains(line.trimmingCharacters(in: .whitespaces)) {
                    finish()
                    return interactive || !anyFailure ? 0 : 1
                }
                if interpreter.parse(source).isIncomplete, source.utf8.count < 1_000_000 { continue }
                buffer = []
                anyFailure = submit(source) || anyFailure
            }
        }
    }

    /// Runs one complete input; returns true when it failed. Trailing blanks (Tab completion
    /// leaves one after a finished word) are dropped, so the notebook cell is what was meant.
    private func submit(_ typed: String) -> Bool {
        var source = typed
        while let last = source.unicodeScalars.last, last == " " || last == "\t" || last == "\n" { source.unicodeScalars.removeLast() }
        guard !source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return false }
        if interactive {
            reader.addHistory(HistoryFile.oneLine(source))
            history?.append(source)
        }
        let parsed = interpreter.parse(source)
        if parsed.statements.isEmpty, parsed.diagnostics.isEmpty {
            // Only comments: keep them as prose in the notebook.
            let prose = source.split(separator: "\n").map { line -> String in
                var text = line.trimmingCharacters(in: .whitespaces)
                while text.hasPrefix("#") { text.removeFirst() }
                return text.trimmingCharacters(in: .whitespaces)
            }.joined(separator: "\n")
            try? recorder?.recorder.recordProse("\n" + prose + "\n")
            return false
        }
        let run = interpreter.run(source: source)
        let text = run.terminalText(streamShown: true)
        if !text.stdout.isEmpty { Terminal.out(text.stdout) }
        if !text.stderr.isEmpty { Terminal.err(text.stderr) }
        if let recorder, !recorder.record(source: source, run: run), let failure = recorder.failure {
            Terminal.err("attune: warning: could not record the cell: \(failure)")
        }
        return run.failed
    }

    private func finish() {
        if interactive {
            Terminal.out("")
            if let recorder { Terminal.out("notebook saved: \(recorder.recorder.url.path)") }
        }
    }
}
