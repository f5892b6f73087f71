import Tokenization

/// The text whose novelty is scored: what a user sends, the input side of an example, so that a
/// data set's examples and a server's requests are measured alike.
///
/// - chat: the contents of the turns other than the system prompt, up to (without) the last
///   assistant turn when the conversation ends with one, joined by newlines;
/// - instruction: the instruction, and the input on the next line when there is one;
/// - completion: the prompt; plain text: the text.
public enum NoveltyText {
    public static func of(_ example: Example) -> String {
        switch example.content {
        case .chat(let messages): return of(messages: messages.map { ($0.role, $0.content) })
        case .instruction(let instruction, let input, _): return input.isEmpty ? instruction : instruction + "\n" + input
        case .completion(let prompt, _): return prompt
        case .text(let text): return text
        }
    }

    /// The turns of a conversation as `(role, content)`; a last assistant turn is the answer and
    /// is left out, and so is every system prompt.
    public static func of(messages: [(role: String, content: String)]) -> String {
        var turns = messages.filter { $0.role != "system" }
        if turns.last?.role == "assistant" { turns.removeLast() }
        return turns.map(\.content).joined(separator: "\n")
    }
}
