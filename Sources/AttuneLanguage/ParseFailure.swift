/// Why a statement could not be read.
struct ParseFailure: Error {
    /// Nil when the lexer has already reported the problem.
    let diagnostic: Diagnostic?
    /// Brackets open where the error was found, so recovery can skip to their end.
    let openBrackets: Int

    init(_ diagnostic: Diagnostic?, openBrackets: Int = 0) {
        self.diagnostic = diagnostic
        self.openBrackets = openBrackets
    }
}
