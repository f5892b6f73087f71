import Essentials
/// The parser's explanations of what went wrong, with the fix where it is clear.
extension Parser {
    /// A token that cannot start a value, explained.
    func unexpected(_ token: Token) -> ParseFailure {
        switch token.kind {
        case .rightBracket, .rightParen:
            let opener = token.kind == .rightBracket ? "[" : "("
            return failure("unmatched '\(token.lexeme)': there is no '\(opener)' before it", at: token.range)
        case .comma:
            return failure("unexpected ',': arguments are separated by spaces; commas separate items inside [ ]",
                           at: token.range)
        case .colon:
            return failure("unexpected ':': colons belong in slices such as x[0:4]", at: token.range)
        case .dot:
            if !token.hasLeadingSpace {
                return failure("unexpected '.' right after \(previous().quoted)", at: token.range)
            }
            return failure("unexpected '.': a path is written without spaces, e.g. layers.0.attn", at: token.range)
        case .question:
            return failure("'?' asks for help only at the start of a line, e.g. ?lr", at: token.range)
        case .equals:
            return failure("'=' needs a name before it, e.g. lr=2e-4", at: token.range)
        case .rightBrace:
            return failure("unmatched '}': there is no '{' before it", at: token.range)
        case .leftBrace:
            return failure("unexpected '{': a block follows for, if, else or fn; records are written {name: value}", at: token.range)
        case .symbol(let op):
            return failure("unexpected '\(op.rawValue)': in a command's arguments put arithmetic in parentheses, e.g. steps=(n + 1)", at: token.range)
        case .invalid:
            return ParseFailure(nil, openBrackets: nesting)
        default:
            return failure("expected a value, found \(token.quoted)", at: token.range)
        }
    }

    /// A statement that does not start with a word.
    func notACommand(_ token: Token, after binding: Name?) -> ParseFailure {
        if token.kind == .invalid { return ParseFailure(nil, openBrackets: nesting) }
        if let binding {
            let rest = restOfStatementText() ?? "VALUE"
            return failure("expected a command after '\(binding.text) ='; to set a hyperparameter write 'set \(binding.text)=\(rest)'",
                           at: token.range, suggestion: "set \(binding.text)=\(rest)")
        }
        switch token.kind {
        case .equals:
            return failure("'=' needs a name before it, e.g. set lr=2e-4", at: token.range)
        case .rightBracket, .rightParen, .rightBrace, .comma, .colon, .dot:
            return unexpected(token)
        default:
            return failure("a statement starts with a command such as train or model load, found \(token.quoted)",
                           at: token.range)
        }
    }

    /// A grouped command's noun followed by a word that is not one of its verbs.
    func unknownVerb(of noun: Name, found: Token) -> ParseFailure {
        let verbs = commands.verbs(of: noun.text)
        let choices = Self.sentenceList(verbs)
        guard let typed = found.name else {
            return failure("'\(noun.text)' needs one of: \(choices)", at: found.endsStatement ? noun.range : found.range)
        }
        if let verb = suggest(typed, from: verbs) {
            return failure("unknown command '\(noun.text) \(typed.clippedForMessage)' — did you mean '\(noun.text) \(verb)'?",
                           at: found.range, suggestion: verb)
        }
        return failure("unknown command '\(noun.text) \(typed.clippedForMessage)': '\(noun.text)' takes \(choices)", at: found.range)
    }

    /// A first word that is no command: suggest the nearest one.
    func unknownCommand(_ word: Name, next: Token, after binding: Name?) -> ParseFailure {
        // `load model` for `model load`.
        if let second = next.name, commands.command([second, word.text]) != nil {
            let fixed = "\(second) \(word.text)"
            return failure("unknown command '\(word.text.clippedForMessage) \(second)' — did you mean '\(fixed)'? (noun first, then verb)",
                           at: word.range.union(next.range), suggestion: fixed)
        }
        if let guess = suggest(word.text, from: commands.leadingWords) {
            var fixed = guess
            let verbs = commands.verbs(of: guess)
            if let typedVerb = next.name, !verbs.isEmpty, let verb = suggest(typedVerb, from: verbs) {
                fixed = "\(guess) \(verb)"
            }
            return failure("unknown command '\(word.text.clippedForMessage)' — did you mean '\(fixed)'?", at: word.range, suggestion: guess)
        }
        if let binding, next.endsStatement {
            return failure("unknown command '\(word.text.clippedForMessage)'; to set a hyperparameter write 'set \(binding.text)=\(word.text.clippedForMessage)'",
                           at: word.range, suggestion: nil)
        }
        return failure("unknown command '\(word.text.clippedForMessage)'; type help to list the commands", at: word.range)
    }

    func failure(_ message: String, at range: SourceRange, suggestion: String? = nil) -> ParseFailure {
        ParseFailure(Diagnostic(message, at: range, suggestion: suggestion), openBrackets: nesting)
    }

    /// A plausible value for `key=…` in an example.
    func exampleValue(for key: String) -> String {
        switch key {
        case "lr": return "2e-4"
        case "targets": return "[q_proj, v_proj]"
        case "schedule": return "cosine"
        case "merge", "rslora": return "true"
        default: return "VALUE"
        }
    }

    static func sentenceList(_ words: [String]) -> String {
        switch words.count {
        case 0: return ""
        case 1: return words[0]
        default: return words.dropLast().joined(separator: ", ") + " or " + words.last!
        }
    }
}
