/// "Did you mean" hints for misspelled keys and roles.
enum KeySuggestion {
    /// Roles that mean a known role in other tools' formats (ShareGPT, Gemini, …).
    static let roleAliases = ["human": "user", "bot": "assistant", "gpt": "assistant", "model": "assistant",
                              "ai": "assistant", "assistent": "assistant", "sys": "system", "customer": "user",
                              "agent": "assistant"]

    /// The candidate within a small edit distance of `word` (1 for up to 4 characters, 2 up to
    /// 8, else 3; case ignored), nearest first; nil when none is close.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let typed = Array(word.lowercased())
        guard !typed.isEmpty else { return nil }
        let limit = typed.count <= 4 ? 1 : typed.count <= 8 ? 2 : 3
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(typed, Array(candidate.lowercased()))
            if distance <= limit && distance < candidate.count && (best == nil || distance < best!.1) {
                best = (candidate, distance)
            }
        }
        return best?.0
    }

    /// Optimal string alignment distance (insertions, deletions, substitutions, adjacent swaps).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    value = min(value, previous2[j - 2] + 1)
                }
                current[j] = value
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
