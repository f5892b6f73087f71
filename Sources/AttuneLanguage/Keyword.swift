/// The reserved words of the scripting language. They are names to the lexer; the parser reads
/// them as keywords where a statement or an expression may have one, and refuses them as
/// variable names. In command arguments they stay plain words.
public enum Keyword {
    /// Words that start a statement.
    public static let statements: Set<String> = ["let", "fn", "for", "if", "else", "return", "break", "continue", "print", "assert"]
    /// Words inside expressions.
    public static let expressions: Set<String> = ["and", "or", "not", "in", "none"]
    public static let all = statements.union(expressions)
}
