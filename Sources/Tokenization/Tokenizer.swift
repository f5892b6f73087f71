/// Text ↔ token ids for a language model, as Attune's models, datasets and REPL use it.
///
/// Implementations: `BPETokenizer` (byte-level and SentencePiece-style BPE) and
/// `ByteTokenizer` (the toy model's 256 bytes plus ChatML specials).
public protocol Tokenizer: Sendable {
    /// Number of ids, including special and added tokens.
    var vocabularySize: Int { get }
    /// Beginning/end of sequence, padding and unknown ids, where the vocabulary has them.
    var specialTokens: SpecialTokenIDs { get }
    /// The model's chat template text (Jinja), when its files carry one.
    var chatTemplateSource: String? { get }
    /// Whether `encode` adds the beginning-of-sequence token when options do not say.
    var addsBOSByDefault: Bool { get }
    /// When the encoder prepends a space that decoding must remove again.
    var spacePrefix: SpacePrefix { get }

    /// Encodes text; special tokens written in it are recognised unless options say otherwise.
    func encode(_ text: String, options: EncodingOptions) -> TokenEncoding
    /// The vocabulary's spelling of `id` (`"Ġworld"`, `"<|im_end|>"`), or nil when out of range.
    func token(for id: Int) -> String?
    /// The id whose vocabulary spelling is exactly `token`.
    func id(for token: String) -> Int?
    /// What kind of entry `id` is (`.unused` when out of range).
    func kind(of id: Int) -> TokenKind
    /// The raw bytes `id` stands for (possibly part of a UTF-8 sequence); empty when out of range.
    func bytes(of id: Int) -> [UInt8]
}

/// When a SentencePiece-style encoder prepends a space (`▁`) to a text segment (the text
/// between special tokens).
public enum SpacePrefix: String, Sendable, Hashable {
    /// Never (byte-level BPE, `add_space_prefix = false`).
    case never
    /// To the segment that starts the input (Hugging Face `Metaspace` `prepend_scheme: first`
    /// without its leading-space rule).
    case first
    /// To every segment (llama.cpp `add_space_prefix`, Hugging Face's legacy `Prepend` normalizer).
    case always
    /// Like `first`, but not when the segment already starts with a space (Hugging Face
    /// `Metaspace`, `prepend_scheme: first`). Decoding then drops such a leading space.
    case firstUnlessSpaced
    /// Like `always`, but not when the segment already starts with a space (Hugging Face
    /// `Metaspace`, `prepend_scheme: always`). Decoding then drops such a leading space.
    case alwaysUnlessSpaced

    /// Whether a text segment starting at `offset` whose first byte is `firstByte` gets a prefix.
    func applies(atOffset offset: Int, firstByte: UInt8) -> Bool {
        switch self {
        case .never: return false
        case .first: return offset == 0
        case .always: return true
        case .firstUnlessSpaced: return offset == 0 && firstByte != 0x20
        case .alwaysUnlessSpaced: return firstByte != 0x20
        }
    }
}

/// Ids of the tokens with a structural role.
public struct SpecialTokenIDs: Sendable, Hashable {
    public var bos: Int?
    public var eos: Int?
    public var pad: Int?
    public var unknown: Int?

    public init(bos: Int? = nil, eos: Int? = nil, pad: Int? = nil, unknown: Int? = nil) {
        self.bos = bos; self.eos = eos; self.pad = pad; self.unknown = unknown
    }
}

/// Options for `Tokenizer.encode`.
public struct EncodingOptions: Sendable, Hashable {
    /// Split out special and added tokens written in the text (`<|im_start|>`); when false they
    /// are tokenized as ordinary text.
    public var parseSpecialTokens: Bool
    /// Add the beginning-of-sequence token; nil follows the tokenizer's default.
    public var addBOS: Bool?

    public init(parseSpecialTokens: Bool = true, addBOS: Bool? = nil) {
        self.parseSpecialTokens = parseSpecialTokens; self.addBOS = addBOS
    }
}

/// Token ids with, for each, the UTF-8 offset in the input where the token's text begins.
public struct TokenEncoding: Sendable, Hashable {
    public var ids: [Int]
    /// Byte offset into the input's UTF-8 for each id (an added BOS gets 0).
    public var offsets: [Int]

    public init(ids: [Int] = [], offsets: [Int] = []) {
        self.ids = ids; self.offsets = offsets
    }
}

extension Tokenizer {
    /// Token ids of `text`, with special tokens in the text recognised and the default BOS rule.
    public func encode(_ text: String) -> [Int] { encode(text, options: EncodingOptions()).ids }

    /// Token ids of `text` with the given options.
    public func encode(_ text: String, parseSpecialTokens: Bool = true, addBOS: Bool? = nil) -> [Int] {
        encode(text, options: EncodingOptions(parseSpecialTokens: parseSpecialTokens, addBOS: addBOS)).ids
    }

    /// The bytes of a token sequence, undoing the encoder's prepended spaces.
    public func decodeBytes(_ ids: [Int], skipSpecialTokens: Bool = false) -> [UInt8] {
        var output = [UInt8]()
        var state = SpacePrefixState(rule: spacePrefix, bos: specialTokens.bos)
        for id in ids {
            let kind = kind(of: id)
            var bytes = bytes(of: id)
            if state.consume(id: id, isText: !kind.isMatchedInText), bytes.first == 0x20 {
                bytes.removeFirst()
            }
            if skipSpecialTokens && kind.isSkippedWhenDecoding { continue }
            output += bytes
        }
        return output
    }

    /// The text of a token sequence; byte sequences that are not valid UTF-8 become U+FFFD.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        String(decoding: decodeBytes(ids, skipSpecialTokens: skipSpecialTokens), as: UTF8.self)
    }
}

/// Tracks where the encoder prepended a space, so the decoder removes exactly those.
struct SpacePrefixState {
    let rule: SpacePrefix
    let bos: Int?
    private var onlyBOSSoFar = true
    private var atSegmentStart = true

    init(rule: SpacePrefix, bos: Int?) { self.rule = rule; self.bos = bos }

    /// Feeds the next token; returns true when it begins a text segment whose leading space the
    /// decoder removes (the prefix the encoder added, for the `UnlessSpaced` rules also a space
    /// the text had).
    mutating func consume(id: Int, isText: Bool) -> Bool {
        defer {
            if id != bos || isText { onlyBOSSoFar = false }
            atSegmentStart = !isText
        }
        guard isText && atSegmentStart else { return false }
        switch rule {
        case .never: return false
        case .first, .firstUnlessSpaced: return onlyBOSSoFar
        case .always, .alwaysUnlessSpaced: return true
        }
    }
}
