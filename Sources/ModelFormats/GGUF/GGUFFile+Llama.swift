import Tokenization

/// Typed access to the metadata a Llama-family model needs.
///
/// Keys are `<arch>.…` where `<arch>` is `general.architecture` (e.g. `llama`):
/// `block_count`, `embedding_length`, `feed_forward_length`, `attention.head_count`,
/// `attention.head_count_kv` (defaults to head_count), `rope.freq_base` (default 10000),
/// `attention.layer_norm_rms_epsilon`, `context_length`, and `tokenizer.ggml.*`.
public struct LlamaMetadata: Sendable, Equatable {
    public var architecture: String
    public var blockCount: Int
    public var embeddingLength: Int
    public var feedForwardLength: Int
    public var headCount: Int
    public var headCountKV: Int
    public var contextLength: Int
    public var ropeFreqBase: Float
    public var rmsNormEpsilon: Float
    /// `<arch>.rope.dimension_count` when present (head dim otherwise).
    public var ropeDimensionCount: Int?
    /// `<arch>.vocab_size` when present (else the token list length).
    public var vocabSize: Int?

    public var headDim: Int { embeddingLength / max(headCount, 1) }
}

extension GGUFFile {
    /// `general.architecture`, if present and a string.
    public var architecture: String? { metadata["general.architecture"]?.string }

    /// A required integer key.
    public func requireInt(_ key: String) throws -> Int {
        guard let v = metadata[key] else { throw GGUFError(file: name, .missingKey(key)) }
        guard let i = v.int else { throw GGUFError(file: name, .wrongKeyType(key: key, expected: "integer", found: v.type)) }
        return i
    }

    /// A required float key (integers are accepted).
    public func requireFloat(_ key: String) throws -> Float {
        guard let v = metadata[key] else { throw GGUFError(file: name, .missingKey(key)) }
        guard let d = v.double else { throw GGUFError(file: name, .wrongKeyType(key: key, expected: "float", found: v.type)) }
        return Float(d)
    }

    /// A required string key.
    public func requireString(_ key: String) throws -> String {
        guard let v = metadata[key] else { throw GGUFError(file: name, .missingKey(key)) }
        guard let s = v.string else { throw GGUFError(file: name, .wrongKeyType(key: key, expected: "string", found: v.type)) }
        return s
    }

    private func optionalInt(_ key: String) throws -> Int? {
        metadata[key] == nil ? nil : try requireInt(key)
    }

    private func positive(_ key: String) throws -> Int {
        let v = try requireInt(key)
        guard v > 0 else { throw GGUFError(file: name, .invalidValue(key: key, reason: "must be positive, is \(v)")) }
        return v
    }

    /// The Llama hyperparameters (for any architecture laid out like Llama: llama, qwen2, …).
    public func llamaMetadata() throws -> LlamaMetadata {
        let arch = try requireString("general.architecture")
        let p = arch + "."
        let heads = try positive(p + "attention.head_count")
        let kv = try optionalInt(p + "attention.head_count_kv") ?? heads
        guard kv > 0, heads % kv == 0 else {
            throw GGUFError(file: name, .invalidValue(key: p + "attention.head_count_kv", reason: "\(kv) does not divide \(heads) heads"))
        }
        return LlamaMetadata(
            architecture: arch,
            blockCount: try positive(p + "block_count"),
            embeddingLength: try positive(p + "embedding_length"),
            feedForwardLength: try positive(p + "feed_forward_length"),
            headCount: heads,
            headCountKV: kv,
            contextLength: try positive(p + "context_length"),
            ropeFreqBase: metadata[p + "rope.freq_base"] == nil ? 10_000 : try requireFloat(p + "rope.freq_base"),
            rmsNormEpsilon: try requireFloat(p + "attention.layer_norm_rms_epsilon"),
            ropeDimensionCount: try optionalInt(p + "rope.dimension_count"),
            vocabSize: try optionalInt(p + "vocab_size"))
    }

    /// The tokenizer arrays and ids, as the Tokenization module's plain description (it builds
    /// the tokenizer with `BPETokenizer(gguf:)`).
    public func tokenizerMetadata() throws -> GGUFTokenizerMetadata {
        func array(_ key: String) throws -> GGUFArray? {
            guard let v = metadata[key] else { return nil }
            guard let a = v.array else { throw GGUFError(file: name, .wrongKeyType(key: key, expected: "array", found: v.type)) }
            return a
        }
        func strings(_ key: String) throws -> [String]? {
            guard let a = try array(key) else { return nil }
            guard let s = a.strings else { throw GGUFError(file: name, .wrongKeyType(key: key, expected: "array of strings", found: a.elementType)) }
            return s
        }
        guard let tokens = try strings("tokenizer.ggml.tokens") else { throw GGUFError(file: name, .missingKey("tokenizer.ggml.tokens")) }
        let scores = try array("tokenizer.ggml.scores").map { a in
            guard let f = a.floats else { throw GGUFError(file: name, .wrongKeyType(key: "tokenizer.ggml.scores", expected: "array of floats", found: a.elementType)) }
            return f
        }
        let types = try array("tokenizer.ggml.token_type").map { a in
            guard let i = a.ints else { throw GGUFError(file: name, .wrongKeyType(key: "tokenizer.ggml.token_type", expected: "array of integers", found: a.elementType)) }
            return i
        }
        func tokenID(_ key: String) throws -> Int? {
            guard let id = try optionalInt(key) else { return nil }
            guard id >= 0, id < tokens.count else {
                throw GGUFError(file: name, .invalidValue(key: key, reason: "token id \(id) is outside the vocabulary of \(tokens.count)"))
            }
            return id
        }
        return GGUFTokenizerMetadata(
            model: try requireString("tokenizer.ggml.model"),
            pre: metadata["tokenizer.ggml.pre"]?.string,
            tokens: tokens,
            tokenTypes: types,
            merges: try strings("tokenizer.ggml.merges") ?? [],
            scores: scores,
            bosID: try tokenID("tokenizer.ggml.bos_token_id"),
            eosID: try tokenID("tokenizer.ggml.eos_token_id"),
            padID: try tokenID("tokenizer.ggml.padding_token_id"),
            unknownID: try tokenID("tokenizer.ggml.unknown_token_id"),
            addBOS: metadata["tokenizer.ggml.add_bos_token"]?.bool,
            addSpacePrefix: metadata["tokenizer.ggml.add_space_prefix"]?.bool,
            chatTemplate: metadata["tokenizer.chat_template"]?.string)
    }
}
