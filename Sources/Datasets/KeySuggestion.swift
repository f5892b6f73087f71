/// "Did you mean" hints for roles that other tools spell differently (the edit-distance rule
/// for typos is `Essentials.suggest`).
enum KeySuggestion {
    /// Roles that mean a known role in other tools' formats (ShareGPT, Gemini, …).
    static let roleAliases = ["human": "user", "bot": "assistant", "gpt": "assistant", "model": "assistant",
                              "ai": "assistant", "assistent": "assistant", "sys": "system", "customer": "user",
                              "agent": "assistant"]
}
