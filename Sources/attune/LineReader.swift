/// Where the REPL gets its lines: libedit on a terminal, plain reading on a pipe.
protocol LineReader: AnyObject {
    /// The next line without its line break; `.interrupted` on Ctrl-C, `.end` at end of input.
    func readLine(continuation: Bool) -> LineReadResult
    /// Adds an entry to the in-memory history (Up arrow, Ctrl-R).
    func addHistory(_ entry: String)
}

enum LineReadResult: Equatable {
    case line(String)
    case interrupted
    case end
}

/// Standard input read line by line with no prompt and no editing (`attune < script.attune`).
final class PlainLineReader: LineReader {
    func readLine(continuation: Bool) -> LineReadResult {
        guard let line = Swift.readLine(strippingNewline: true) else { return .end }
        return .line(line)
    }

    func addHistory(_ entry: String) {}
}
