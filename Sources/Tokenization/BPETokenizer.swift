import Synchronization

/// Byte-pair-encoding tokenizer for the Llama family: GPT-2 byte-level BPE (SmolLM2, Llama 3,
/// Qwen2) and SentencePiece-style BPE with byte fallback (Llama 2, TinyLlama).
///
/// Build it from plain arrays (as a GGUF file stores them: `BPETokenizer(gguf:)`) or from a
/// Hugging Face `tokenizer.json` (`BPETokenizer(huggingFaceTokenizerJSON:config:)`).
/// Thread-safe: tables are immutable, and the cache of encoded words sits behind a mutex.
public final class BPETokenizer: Tokenizer {
    /// Vocabulary spellings, indexed by id.
    public let vocabulary: [String]
    /// Kind of each id.
    public let kinds: [TokenKind]
    public let specialTokens: SpecialTokenIDs
    public let chatTemplateSource: String?
    public let addsBOSByDefault: Bool
    public let preTokenizer: PreTokenizer
    public let variant: BPEVariant
    /// Whether a pre-tokenized piece that is itself a vocabulary entry skips merging (Llama 3's
    /// `ignore_merges`).
    public let ignoresMerges: Bool
    /// Whether input is put in Unicode NFC first (Qwen2's normalizer); offsets then refer to the
    /// normalized text.
    public let normalizesToNFC: Bool

    let ids: [ByteKey: Int32]
    let merges: BPEMergeTable
    let decodedBytes: [[UInt8]]
    let specialMatcher: SpecialTokenMatcher
    /// Byte-level: the id of each byte's alphabet scalar (-1: none). SentencePiece: `<0xNN>` ids or -1.
    let byteIDs: [Int32]
    /// SentencePiece: the id of each single-scalar vocabulary entry.
    let scalarIDs: [UInt32: Int32]
    let cache = Mutex<[ByteKey: CachedPiece]>([:])
    static let cacheLimit = 200_000

    /// Creates a tokenizer from a vocabulary and merge rules.
    ///
    /// - Parameters:
    ///   - vocabulary: token spellings by id (byte-level spellings for `.byteLevel`).
    ///   - merges: merge rules best first, each `"left right"` as in GGUF `tokenizer.ggml.merges`
    ///     and `tokenizer.json`.
    ///   - tokenTypes: GGUF token types by id (1 normal, 2 unknown, 3 control, 4 user-defined,
    ///     5 unused, 6 byte); nil treats every id as normal.
    ///   - specialTokens: bos/eos/pad/unknown ids.
    ///   - preTokenizer: how text is cut before merging (ignored by `.sentencePiece`).
    ///   - variant: byte-level or SentencePiece-style spelling.
    ///   - addBOS: whether `encode` adds BOS by default.
    ///   - ignoreMerges: emit a piece that is a vocabulary entry as is (Llama 3).
    ///   - normalizeNFC: apply Unicode NFC before encoding (Qwen2).
    ///   - chatTemplate: the model's chat template text.
    public convenience init(vocabulary: [String], merges: [String], tokenTypes: [Int]? = nil,
                            specialTokens: SpecialTokenIDs = SpecialTokenIDs(),
                            preTokenizer: PreTokenizer = .gpt2, variant: BPEVariant = .byteLevel,
                            addBOS: Bool = false, ignoreMerges: Bool = false, normalizeNFC: Bool = false,
                            chatTemplate: String? = nil) throws {
        let kinds = try Self.kinds(from: tokenTypes, count: vocabulary.count)
        var ids = [ByteKey: Int32](minimumCapacity: vocabulary.count)
        for (id, token) in vocabulary.enumerated().reversed() { ids[ByteKey(token)] = Int32(id) }
        var table = BPEMergeTable()
        for (rank, rule) in merges.enumerated() {
            guard let (left, right, merged) = Self.resolve(rule, ids) else {
                throw TokenizationError.invalidTokenizer("merge \(rank) '\(rule)' names a token missing from the vocabulary")
            }
            table.add(left: left, right: right, merged: merged, rank: UInt32(rank))
        }
        try self.init(vocabulary: vocabulary, kinds: kinds, ids: ids, merges: table, specialTokens: specialTokens,
                      preTokenizer: preTokenizer, variant: variant, addBOS: addBOS, ignoreMerges: ignoreMerges,
                      normalizeNFC: normalizeNFC, chatTemplate: chatTemplate)
    }

    init(vocabulary: [String], kinds: [TokenKind], ids: [ByteKey: Int32], merges: BPEMergeTable,
         specialTokens: SpecialTokenIDs, preTokenizer: PreTokenizer, variant: BPEVariant, addBOS: Bool,
         ignoreMerges: Bool, normalizeNFC: Bool, chatTemplate: String?) throws {
        for (name, id) in [("bos", specialTokens.bos), ("eos", specialTokens.eos), ("pad", specialTokens.pad),
                           ("unknown", specialTokens.unknown)] {
            if let id, !(0..<vocabulary.count).contains(id) {
                throw TokenizationError.invalidTokenizer("\(name) id \(id) is outside the vocabulary of \(vocabulary.count)")
            }
        }
        self.vocabulary = vocabulary
        self.kinds = kinds
        self.ids = ids
        self.merges = merges
        self.specialTokens = specialTokens
        self.preTokenizer = preTokenizer
        self.variant = variant
        self.addsBOSByDefault = addBOS
        self.ignoresMerges = ignoreMerges
        self.normalizesToNFC = normalizeNFC
        self.chatTemplateSource = chatTemplate
        self.decodedBytes = zip(vocabulary, kinds).map { Self.bytes(ofToken: $0, kind: $1, variant: variant) }
        self.specialMatcher = SpecialTokenMatcher(tokens: zip(vocabulary, kinds).enumerated()
            .filter { $0.element.1.isMatchedInText }.map { ($0.element.0, Int32($0.offset)) })
        switch variant {
        case .byteLevel:
            var byteIDs = [Int32](repeating: -1, count: 256)
            for byte in 0..<256 {
                // Some vocabularies lack bytes that never occur in their training text (SmolLM2 has
                // no token for 0x04, 0x06, 0x13, 0x14, 0x16, 0x1D): like llama.cpp, such bytes
                // are dropped (its "unknown" id 0 is `<|endoftext|>`, which must never appear
                // inside training text).
                byteIDs[byte] = ids[ByteKey(String(ByteLevelAlphabet.scalars[byte]))] ?? -1
            }
            self.byteIDs = byteIDs
            self.scalarIDs = [:]
        case .sentencePiece:
            var byteIDs = [Int32](repeating: -1, count: 256)
            var scalarIDs = [UInt32: Int32]()
            for (id, token) in vocabulary.enumerated() {
                if let byte = Self.byteFallbackValue(token) { byteIDs[Int(byte)] = Int32(id); continue }
                let scalars = token.unicodeScalars
                if scalars.count == 1, kinds[id] == .normal || kinds[id] == .userDefined,
                   scalarIDs[scalars.first!.value] == nil {
                    scalarIDs[scalars.first!.value] = Int32(id)
                }
            }
            self.byteIDs = byteIDs
            self.scalarIDs = scalarIDs
        }
    }

    public var vocabularySize: Int { vocabulary.count }

    public var spacePrefix: SpacePrefix {
        if case .sentencePiece(let prefix) = variant { return prefix }
        return .never
    }

    public func token(for id: Int) -> String? {
        vocabulary.indices.contains(id) ? vocabulary[id] : nil
    }

    public func id(for token: String) -> Int? {
        ids[ByteKey(token)].map(Int.init)
    }

    public func kind(of id: Int) -> TokenKind {
        kinds.indices.contains(id) ? kinds[id] : .unused
    }

    public func bytes(of id: Int) -> [UInt8] {
        decodedBytes.indices.contains(id) ? decodedBytes[id] : []
    }

    /// Bytes that have no token and are dropped by `encode` (byte-level vocabularies only).
    public var unrepresentableBytes: [UInt8] {
        guard variant == .byteLevel else { return [] }
        return (0...255).filter { byteIDs[Int($0)] < 0 }.map(UInt8.init)
    }

    /// Number of merge rules.
    public var mergeCount: Int { merges.count }
}
