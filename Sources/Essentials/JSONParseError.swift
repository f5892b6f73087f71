/// Why a text is not JSON: what was wrong and the UTF-8 byte offset (0-based) where it was found.
///
/// `message` is the sentence a user reads. It speaks of "the line" for the ends of text, which is
/// what nearly every caller parses (a JSONL line, a front matter value, a fence attribute); callers
/// that want other wording switch over `problem`.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset (0-based) in the parsed text.
    public var offset: Int
    public var problem: Problem

    public init(offset: Int, problem: Problem) {
        self.offset = offset
        self.problem = problem
    }

    /// What is wrong. `found` values describe the text at the offset: `'x'`, `control character
    /// U+000A`, `end of line`.
    public enum Problem: Sendable, Equatable {
        /// Nothing but whitespace.
        case emptyText
        /// A value was complete but more text follows it.
        case textAfterValue(found: String)
        /// The text ends where a value, or the rest of an object or array, was expected.
        case endOfText(Inside)
        /// A value was expected here. `character` is the scalar found there.
        case valueExpected(found: String, character: Unicode.Scalar)
        /// `'text'` instead of `"text"`.
        case singleQuotes
        /// `True`, `nul`, …; `expected` is the literal that starts with the same letter.
        case invalidLiteral(expected: String)
        /// Arrays and objects nested deeper than `limit`.
        case tooDeep(limit: Int)
        /// `,` directly before `}` or `]`.
        case trailingComma(before: Character)
        /// An object member does not start with a double-quoted key.
        case keyExpected(found: String)
        /// No `:` after an object key.
        case colonExpected(key: String, found: String)
        /// Neither `,` nor `}` after the value of `key`.
        case objectSeparatorExpected(key: String, found: String)
        /// Neither `,` nor `]` after an array element.
        case arraySeparatorExpected(found: String)
        /// A raw byte below 0x20 inside a string.
        case controlCharacterInString
        /// No closing quote.
        case unterminatedString
        /// A `\` at the very end.
        case unterminatedEscape
        /// `\x` for an `x` JSON does not know.
        case invalidEscape(Character)
        /// `\u` without four hex digits.
        case invalidUnicodeEscape
        /// A high surrogate not followed by a `\u` escape.
        case unpairedHighSurrogate(UInt32)
        /// A high surrogate followed by something other than a low one.
        case invalidSurrogatePair
        /// A low surrogate with no high one before it.
        case unpairedLowSurrogate(UInt32)
        /// A malformed number; `reason` says which part.
        case invalidNumber(reason: String)
        /// Bytes that are not UTF-8.
        case invalidUTF8(byte: UInt8)
    }

    /// Where the text ended.
    public enum Inside: Sendable, Equatable {
        /// Where a value was expected.
        case value
        /// Inside an object, before a key.
        case objectBeforeKey
        /// Inside an object, after a value.
        case objectAfterValue
        /// Inside an array, after an element.
        case arrayAfterElement
    }

    /// The problem in words.
    public var message: String {
        switch problem {
        case .emptyText: return "empty JSON text"
        case .textAfterValue(let found): return "unexpected \(found) after the end of the JSON value (one object per line)"
        case .endOfText(.value): return "the line ends where a value was expected (is the line cut short?)"
        case .endOfText(.objectBeforeKey): return "the line ends inside an object; expected '}' (is the line cut short?)"
        case .endOfText(.objectAfterValue): return "the line ends inside an object; expected ',' or '}' (is the line cut short?)"
        case .endOfText(.arrayAfterElement): return "the line ends inside an array; expected ',' or ']' (is the line cut short?)"
        case .valueExpected(let found, _): return "expected a value, found \(found)"
        case .singleQuotes: return "strings must use double quotes (\"), not single quotes"
        case .invalidLiteral(let expected): return "invalid literal; expected \(expected) (JSON literals are lowercase: true, false, null)"
        case .tooDeep(let limit): return "nesting deeper than \(limit) levels"
        case .trailingComma(let closer): return "trailing comma before '\(closer)'; remove the comma"
        case .keyExpected(let found): return "expected a key in double quotes, found \(found)"
        case .colonExpected(let key, let found): return "expected ':' after key \"\(key)\", found \(found)"
        case .objectSeparatorExpected(let key, let found): return "expected ',' or '}' after the value of \"\(key)\", found \(found)"
        case .arraySeparatorExpected(let found): return "expected ',' or ']' in array, found \(found)"
        case .controlCharacterInString: return "unescaped control character in string; write it as \\n, \\t or \\u00XX"
        case .unterminatedString: return "unterminated string (no closing double quote before the end of the line)"
        case .unterminatedEscape: return "unterminated escape sequence"
        case .invalidEscape(let c):
            return "invalid escape '\\\(c)'; valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"
        case .invalidUnicodeEscape: return "\\u must be followed by four hex digits"
        case .unpairedHighSurrogate(let code):
            return "unpaired surrogate \\u\(String(code, radix: 16)); a high surrogate must be followed by a low one"
        case .invalidSurrogatePair: return "invalid surrogate pair in \\u escape"
        case .unpairedLowSurrogate(let code): return "unpaired low surrogate \\u\(String(code, radix: 16))"
        case .invalidNumber(let reason): return "invalid number: \(reason)"
        case .invalidUTF8(let byte): return "invalid UTF-8 (byte 0x\(hex2(byte)))"
        }
    }

    /// `message at offset N`.
    public var description: String { "\(message) at offset \(offset)" }

    private func hex2(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count < 2 ? "0" + digits : digits
    }
}
