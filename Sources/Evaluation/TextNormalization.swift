import Foundation

/// How replies and expected answers are normalised before an exact-match comparison.
public struct TextNormalization: OptionSet, Sendable, Codable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Remove leading and trailing whitespace.
    public static let trimWhitespace = TextNormalization(rawValue: 1 << 0)
    /// Replace every run of whitespace with one space.
    public static let collapseWhitespace = TextNormalization(rawValue: 1 << 1)
    /// Compare case-insensitively (lowercased).
    public static let caseInsensitive = TextNormalization(rawValue: 1 << 2)
    /// Drop punctuation characters (Unicode category P).
    public static let stripPunctuation = TextNormalization(rawValue: 1 << 3)

    /// Trim and collapse whitespace: the default for exact match.
    public static let whitespace: TextNormalization = [.trimWhitespace, .collapseWhitespace]
    /// Whitespace, case and punctuation: "loose" matching of short answers.
    public static let loose: TextNormalization = [.trimWhitespace, .collapseWhitespace, .caseInsensitive, .stripPunctuation]

    /// Applies the options to a text (punctuation first, then case, then whitespace).
    public func apply(_ text: String) -> String {
        var result = text
        if contains(.stripPunctuation) {
            result = String(String.UnicodeScalarView(result.unicodeScalars.filter {
                !CharacterSet.punctuationCharacters.contains($0)
            }))
        }
        if contains(.caseInsensitive) { result = result.lowercased() }
        if contains(.collapseWhitespace) {
            var collapsed = ""
            var inRun = false
            for character in result {
                if character.isWhitespace {
                    if !inRun { collapsed.append(" ") }
                    inRun = true
                } else {
                    collapsed.append(character)
                    inRun = false
                }
            }
            result = collapsed
        }
        if contains(.trimWhitespace) { result = result.trimmingWhitespace }
        return result
    }
}
