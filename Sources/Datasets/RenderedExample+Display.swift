import Tokenization

/// `data show N`: an example as the model sees it, with trained tokens marked.
extension RenderedExample {
    /// How trained tokens are marked.
    public enum MarkStyle: String, Sendable {
        /// `⟦…⟧` around trained runs (files, pipes, notebooks).
        case brackets
        /// Green text for trained runs, dim for the rest (terminals).
        case ansi
    }

    /// The decoded text with trained runs marked, after a header line with the counts.
    public func display(tokenizer: any Tokenizer, style: MarkStyle = .brackets) -> String {
        var body = ""
        var start = 0
        while start < ids.count {
            var end = start
            while end < ids.count && trainable[end] == trainable[start] { end += 1 }
            let text = String(decoding: ids[start..<end].flatMap { tokenizer.bytes(of: $0) }, as: UTF8.self)
            switch (style, trainable[start]) {
            case (.brackets, true): body += "⟦" + text + "⟧"
            case (.brackets, false): body += text
            case (.ansi, true): body += "\u{1B}[32m" + text + "\u{1B}[0m"
            case (.ansi, false): body += "\u{1B}[2m" + text + "\u{1B}[0m"
            }
            start = end
        }
        var header = "line \(line): \(count) tokens, \(trainableCount) trained"
        if isTruncated { header += " (cut from \(fullLength)" + (turnsMissingEnd > 0 ? "; \(turnsMissingEnd) turn(s) lost their end token)" : ")") }
        let legend = style == .brackets ? "trained text in ⟦…⟧" : "trained text in green"
        return header + "; " + legend + "\n" + body
    }
}
