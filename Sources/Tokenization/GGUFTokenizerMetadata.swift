/// The tokenizer fields of a GGUF file's metadata, as plain values, so a GGUF reader can hand
/// them over without this module depending on it.
public struct GGUFTokenizerMetadata: Sendable, Hashable {
    /// `tokenizer.ggml.model`: `"gpt2"` (byte-level BPE) or `"llama"` (SentencePiece-style).
    public var model: String
    /// `tokenizer.ggml.pre`: the pre-tokenizer name (`"smollm"`, `"llama-bpe"`, `"qwen2"`, …).
    public var pre: String?
    /// `tokenizer.ggml.tokens`.
    public var tokens: [String]
    /// `tokenizer.ggml.token_type`.
    public var tokenTypes: [Int]?
    /// `tokenizer.ggml.merges` (`"left right"`).
    public var merges: [String]
    /// `tokenizer.ggml.scores` (SentencePiece files without merges rank merges by score).
    public var scores: [Float]?
    public var bosID: Int?
    public var eosID: Int?
    public var padID: Int?
    public var unknownID: Int?
    /// `tokenizer.ggml.add_bos_token`.
    public var addBOS: Bool?
    /// `tokenizer.ggml.add_space_prefix`.
    public var addSpacePrefix: Bool?
    /// `tokenizer.chat_template`.
    public var chatTemplate: String?

    public init(model: String, pre: String? = nil, tokens: [String], tokenTypes: [Int]? = nil, merges: [String] = [],
                scores: [Float]? = nil, bosID: Int? = nil, eosID: Int? = nil, padID: Int? = nil, unknownID: Int? = nil,
                addBOS: Bool? = nil, addSpacePrefix: Bool? = nil, chatTemplate: String? = nil) {
        self.model = model; self.pre = pre; self.tokens = tokens; self.tokenTypes = tokenTypes
        self.merges = merges; self.scores = scores; self.bosID = bosID; self.eosID = eosID
        self.padID = padID; self.unknownID = unknownID; self.addBOS = addBOS
        self.addSpacePrefix = addSpacePrefix; self.chatTemplate = chatTemplate
    }
}

extension BPETokenizer {
    /// Builds the tokenizer a GGUF file describes, with llama.cpp's meaning of each field.
    public convenience init(gguf metadata: GGUFTokenizerMetadata) throws {
        let special = SpecialTokenIDs(bos: metadata.bosID, eos: metadata.eosID, pad: metadata.padID,
                                      unknown: metadata.unknownID)
        switch metadata.model {
        case "gpt2":
            let name = metadata.pre ?? "default"
            guard let preTokenizer = PreTokenizer(ggufName: name) else {
                throw TokenizationError.unsupportedPreTokenizer("'\(name)' (GGUF tokenizer.ggml.pre)")
            }
            try self.init(vocabulary: metadata.tokens, merges: metadata.merges, tokenTypes: metadata.tokenTypes,
                          specialTokens: special, preTokenizer: preTokenizer, variant: .byteLevel,
                          addBOS: metadata.addBOS ?? false, ignoreMerges: preTokenizer == .llama3,
                          chatTemplate: metadata.chatTemplate)
        case "llama":
            // llama.cpp prefixes a space to every text fragment that starts the input or follows
            // a special token, as Hugging Face's legacy `Prepend` normalizer does.
            let variant = BPEVariant.sentencePiece(spacePrefix: metadata.addSpacePrefix ?? true ? .always : .never)
            let addBOS = metadata.addBOS ?? true
            if !metadata.merges.isEmpty {
                try self.init(vocabulary: metadata.tokens, merges: metadata.merges, tokenTypes: metadata.tokenTypes,
                              specialTokens: special, preTokenizer: .none, variant: variant, addBOS: addBOS,
                              chatTemplate: metadata.chatTemplate)
                return
            }
            guard let scores = metadata.scores, scores.count == metadata.tokens.count else {
                throw TokenizationError.invalidTokenizer("a 'llama' tokenizer needs merges or one score per token")
            }
            let kinds = try Self.kinds(from: metadata.tokenTypes, count: metadata.tokens.count)
            var ids = [ByteKey: Int32](minimumCapacity: metadata.tokens.count)
            for (id, token) in metadata.tokens.enumerated().reversed() { ids[ByteKey(token)] = Int32(id) }
            let merges = Self.mergesFromScores(vocabulary: metadata.tokens, kinds: kinds, scores: scores, ids: ids)
            try self.init(vocabulary: metadata.tokens, kinds: kinds, ids: ids, merges: merges, specialTokens: special,
                          preTokenizer: .none, variant: variant, addBOS: addBOS, ignoreMerges: false,
                          normalizeNFC: false, chatTemplate: metadata.chatTemplate)
        default:
            throw TokenizationError.unsupportedModel(metadata.model)
        }
    }
}
