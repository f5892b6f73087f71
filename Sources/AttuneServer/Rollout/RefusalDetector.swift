import Foundation

/// Whether a reply reads as a refusal: it starts (after quotes and spaces) with one of the
/// phrases assistants refuse with — "I can't", "I cannot", "I'm sorry", "As an AI", … — compared
/// without case and with typographic apostrophes read as `'`. A reply that only mentions such a
/// phrase later is not a refusal.
public enum RefusalDetector {
    static let openings = ["i can't", "i cannot", "i can not", "i won't", "i will not", "i'm sorry", "i am sorry", "sorry, i",
                           "i'm not able to", "i am not able to", "i'm unable to", "i am unable to", "as an ai",
                           "i apologize", "i must decline", "i'm afraid i can"]

    public static func isRefusal(_ reply: String) -> Bool {
        let text = reply.replacingOccurrences(of: "\u{2019}", with: "'").lowercased()
            .trimmingCharacters(in: CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "\"'`*")))
        return openings.contains { text.hasPrefix($0) }
    }
}
