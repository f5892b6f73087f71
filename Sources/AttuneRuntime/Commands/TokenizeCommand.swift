import Foundation
import AttuneLanguage
import Tokenization

/// `tokenize "TEXT"`: the token ids and pieces of a text under the model's tokenizer.
struct TokenizeCommand: RuntimeCommand {
    let spec = StandardSpec.named("tokenize")
    let schema = ArgumentSchema([
        .positional("text", .text, "the text to tokenize, in quotes"),
        .keyed("special", .bool, default: "true", "recognise special tokens written in the text, such as <|im_start|>"),
        .keyed("bos", .bool, default: "the tokenizer's rule", "add the beginning-of-sequence token"),
    ])
    let help = CommandHelp("""
        Shows how the model's tokenizer splits a text: the number of tokens, their ids, and each \
        token's vocabulary spelling (byte-level tokenizers write a space as Ġ and a newline as Ċ). \
        The tiny model's tokenizer has one token per byte plus the ChatML specials.
        """, examples: ["tokenize \"My API calls return 429\"", "tokenize \"<|im_start|>user\" special=false"])

    /// Tokens shown in full; longer texts are cut with a count.
    static let shownLimit = 64

    func run(_ context: CommandContext) throws {
        guard let loaded = context.session.model else { throw CommandError.noModel("tokenize") }
        guard let tokenizer = loaded.tokenizer else {
            throw CommandError("NotAvailable", "`tokenize` needs a tokenizer; model \(loaded.name) has \(loaded.tokenizerSummary)")
        }
        let text = context.arguments.word("text") ?? ""
        let options = EncodingOptions(parseSpecialTokens: context.arguments.bool("special") ?? true, addBOS: context.arguments.bool("bos"))
        let ids = tokenizer.encode(text, options: options).ids
        let shown = ids.prefix(Self.shownLimit)
        let pieces = shown.map { id in Self.quoted(tokenizer.token(for: id) ?? "?") }
        var lines = ["\(ids.count) token\(ids.count == 1 ? "" : "s")"]
        if !ids.isEmpty {
            lines.append("  ids     " + shown.map(String.init).joined(separator: " ") + (ids.count > shown.count ? " …" : ""))
            lines.append("  pieces  " + pieces.joined(separator: " ") + (ids.count > shown.count ? " … (\(ids.count - shown.count) more)" : ""))
        }
        context.result(lines.joined(separator: "\n"))
    }

    /// A piece in single quotes with control characters escaped.
    static func quoted(_ piece: String) -> String {
        var out = "'"
        for scalar in piece.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "'": out += "\\'"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { out += String(format: "\\x%02X", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "'"
    }
}
