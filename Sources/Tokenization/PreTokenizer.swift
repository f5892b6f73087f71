/// How text is cut into pieces before BPE merges run inside each piece.
///
/// Each case is a hand-written scanner equivalent to the regular expression the model family
/// uses (see `pattern`); none of them uses a regex engine.
public enum PreTokenizer: String, Sendable, CaseIterable {
    /// GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
    case gpt2
    /// SmolLM2 / StarCoder: every `\p{N}` scalar is its own piece, then the GPT-2 pattern runs
    /// on the text between digits (llama.cpp `smollm`/`starcoder`; Hugging Face
    /// `Digits(individual_digits)` followed by `ByteLevel`).
    case smollm
    /// Llama 3: case-insensitive contractions, a letter run with one leading non-letter,
    /// numbers in groups of up to three, newline-aware whitespace.
    case llama3
    /// Qwen2: the Llama 3 pattern with single-digit numbers.
    case qwen2
    /// No splitting: the whole text segment is one piece (SentencePiece-style BPE).
    case none

    /// The regular expression this scanner implements (for documentation and error messages).
    public var pattern: String {
        switch self {
        case .gpt2: return Self.gpt2Pattern
        case .smollm: return "\\p{N} then " + Self.gpt2Pattern
        case .llama3: return Self.llama3Pattern
        case .qwen2: return Self.qwen2Pattern
        case .none: return ""
        }
    }

    static let gpt2Pattern =
        "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"
    static let llama3Pattern =
        "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
    static let qwen2Pattern =
        "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"

    /// The pre-tokenizer llama.cpp means by a GGUF `tokenizer.ggml.pre` name, if supported.
    public init?(ggufName: String) {
        switch ggufName {
        case "gpt2", "gpt-2", "default", "mpt", "olmo", "jais": self = .gpt2
        case "smollm", "starcoder", "refact", "codeshell", "command-r", "exaone", "minerva": self = .smollm
        case "llama3", "llama-bpe", "llama-v3", "dbrx", "smaug-bpe": self = .llama3
        case "qwen2", "stablelm2", "deepseek-r1-qwen": self = .qwen2
        default: return nil
        }
    }

    /// The pre-tokenizer whose pattern is exactly `regex` (as written in a `tokenizer.json`
    /// `Split` pre-tokenizer), if supported.
    public init?(regex: String) {
        switch regex {
        case Self.gpt2Pattern: self = .gpt2
        case Self.llama3Pattern: self = .llama3
        case Self.qwen2Pattern: self = .qwen2
        default: return nil
        }
    }

    /// Splits `text` into pieces (for inspection and tests; encoding uses byte ranges).
    public func split(_ text: String) -> [String] {
        var text = text
        return text.withUTF8 { buffer in
            var ranges = [Range<Int>]()
            appendPieces(of: buffer, in: 0..<buffer.count, to: &ranges)
            return ranges.map { String(decoding: UnsafeBufferPointer(rebasing: buffer[$0]), as: UTF8.self) }
        }
    }

    /// Appends the byte ranges of the pieces of `bytes[range]` (valid UTF-8) to `pieces`.
    func appendPieces(of bytes: UnsafeBufferPointer<UInt8>, in range: Range<Int>, to pieces: inout [Range<Int>]) {
        if range.isEmpty { return }
        switch self {
        case .gpt2:
            Self.scanGPT2(bytes, range.lowerBound, range.upperBound, &pieces)
        case .smollm:
            Self.scanIsolatingNumbers(bytes, range.lowerBound, range.upperBound, &pieces)
        case .llama3:
            Self.scanLlama3(bytes, range.lowerBound, range.upperBound, maxDigits: 3, &pieces)
        case .qwen2:
            Self.scanLlama3(bytes, range.lowerBound, range.upperBound, maxDigits: 1, &pieces)
        case .none:
            pieces.append(range)
        }
    }
}
