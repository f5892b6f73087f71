import AttuneRuntime
import CEditLine
import Foundation

/// Line editing with libedit: emacs keys, history (Up, Ctrl-R search), Tab completion through a
/// `Completer`, a prompt that changes for continuation lines.
///
/// libedit calls back through C function pointers that cannot capture context, so the prompt and
/// the completer live in `EditLineState`, one per process (there is one terminal).
final class EditLineReader: LineReader {
    private let editor: OpaquePointer
    private let history: OpaquePointer
    private var event = HistEvent()

    init?(completer: Completer) {
        setlocale(LC_CTYPE, "")  // or libedit drops non-ASCII input
        // Own FILE streams on the standard descriptors (the C globals are not concurrency-safe in Swift 6).
        guard let input = fdopen(STDIN_FILENO, "r"), let output = fdopen(STDOUT_FILENO, "w"), let errors = fdopen(STDERR_FILENO, "w"),
              let editor = el_init(CommandLine.arguments.first ?? "attune", input, output, errors) else { return nil }
        guard let history = history_init() else { el_end(editor); return nil }
        self.editor = editor
        self.history = history
        EditLineState.completer = completer
        attune_history_setsize(history, &event, 1000)
        attune_el_set_history(editor, history)
        attune_el_set_editor(editor, "emacs")
        attune_el_set_signal(editor, 1)
        attune_el_set_prompt(editor) { _ in EditLineState.currentPrompt }
        attune_el_set_addfn(editor, "attune-complete", "Complete the word before the cursor") { editor, _ in
            EditLineState.complete(editor)
        }
        attune_el_set_bind(editor, "^I", "attune-complete")
        attune_el_set_bind(editor, "^R", "em-inc-search-prev")
    }

    deinit {
        history_end(history)
        el_end(editor)
    }

    func readLine(continuation: Bool) -> LineReadResult {
        EditLineState.continuation = continuation
        var count: Int32 = 0
        errno = 0
        guard let pointer = el_gets(editor, &count) else {
            if errno == EINTR { return .interrupted }
            return .end
        }
        if count == 0 { return .end }
        var line = String(cString: pointer)
        if line.hasSuffix("\n") { line.removeLast() }
        return .line(line)
    }

    func addHistory(_ entry: String) {
        attune_history_enter(history, &event, entry)
    }
}

/// What libedit's C callbacks need.
enum EditLineState {
    nonisolated(unsafe) static var completer: Completer?
    nonisolated(unsafe) static var continuation = false
    nonisolated(unsafe) static let prompt = strdup("attune> ")
    nonisolated(unsafe) static let continuationPrompt = strdup("   ...> ")

    static var currentPrompt: UnsafeMutablePointer<CChar>? { continuation ? continuationPrompt : prompt }

    /// Tab: insert the common prefix of the candidates; list them when several remain.
    static func complete(_ editor: OpaquePointer?) -> UInt8 {
        guard let editor, let completer, let info = el_line(editor) else { return UInt8(CC_ERROR) }
        let start = UnsafeRawPointer(info.pointee.buffer!)
        let cursor = UnsafeRawPointer(info.pointee.cursor!)
        let length = cursor - start
        let bytes = UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: max(0, length))
        let before = String(decoding: bytes, as: UTF8.self)
        let completion = completer.complete(before)
        guard !completion.candidates.isEmpty else { return UInt8(CC_REFRESH_BEEP) }
        let common = completion.commonPrefix
        // A single finished candidate ends the word: a space after it, and after a quoted file
        // name the closing quote first (`"data/chat.jsonl" `, not an open string).
        let finished = completion.candidates.count == 1 && !common.hasSuffix("=") && !common.hasSuffix("/")
        let closing = finished ? (common.first.map { $0 == "\"" || $0 == "'" ? String($0) : "" } ?? "") + " " : ""
        var inserted = false
        if common.count > completion.word.count {
            el_insertstr(editor, String(common.dropFirst(completion.word.count)) + closing)
            inserted = true
        } else if finished {
            el_insertstr(editor, closing)
            inserted = true
        }
        if completion.candidates.count > 1, !inserted || common == completion.word {
            let shown = completion.candidates.prefix(60)
            let width = (shown.map(\.count).max() ?? 8) + 2
            let perLine = max(1, 80 / width)
            var text = "\n"
            for (i, candidate) in shown.enumerated() {
                text += candidate.padding(toLength: width, withPad: " ", startingAt: 0)
                if (i + 1) % perLine == 0 { text += "\n" }
            }
            if shown.count % perLine != 0 { text += "\n" }
            if completion.candidates.count > shown.count { text += "… \(completion.candidates.count - shown.count) more\n" }
            FileHandle.standardOutput.write(Data(text.utf8))
            return UInt8(CC_REDISPLAY)
        }
        return UInt8(CC_REFRESH)
    }
}
