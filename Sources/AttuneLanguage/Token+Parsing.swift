extension Token {
    /// A name at the very start of a line: after a bracket left open, such a line is taken to be
    /// a new statement (continuation lines of a list are indented, or start with a value or `]`).
    var startsNewStatement: Bool {
        name != nil && range.start.column == 1
    }

    /// True for tokens that begin a value (so two of them in a row need a space between).
    var startsValue: Bool {
        switch kind {
        case .name, .number, .percent, .string, .boolean, .leftBracket, .leftParen: return true
        default: return false
        }
    }
}
