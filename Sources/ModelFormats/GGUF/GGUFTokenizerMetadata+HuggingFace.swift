import Essentials
import Foundation
import Tokenization

/// The Hugging Face tokenizer files (`tokenizer.json`, `tokenizer_config.json`) for a GGUF
/// file's byte-level BPE tokenizer, so a model exported from a GGUF base to a Hugging Face folder
/// keeps its tokenizer.
///
/// Covers `tokenizer.ggml.model = gpt2` with the pre-tokenizers `smollm` family (digits split one
/// by one, then GPT-2's byte-level split) and `gpt2`/`default` (byte-level split only):
/// ```
/// model.vocab        token → id for every token that is not control or user-defined
/// model.merges       tokenizer.ggml.merges ("a b")
/// added_tokens       control (special) and user-defined tokens, by id
/// pre_tokenizer      [Digits(individual)] + ByteLevel(add_prefix_space=false, use_regex=true)
/// tokenizer_config   bos/eos/pad/unk token texts, add_bos_token, chat_template
/// ```
/// Returns nil for other layouts (Llama 3 and Qwen2 regexes, SentencePiece), which need more of
/// `tokenizers`' vocabulary than Attune reads back.
extension GGUFTokenizerMetadata {
    public func huggingFaceFiles() throws -> [String: Data]? {
        guard model == "gpt2", let preTokenizer = PreTokenizer(ggufName: pre ?? "default"),
              preTokenizer == .smollm || preTokenizer == .gpt2 else { return nil }
        func byteLevel(trimOffsets: Bool) -> JSONValue {
            .object([("type", .string("ByteLevel")), ("add_prefix_space", .bool(false)), ("trim_offsets", .bool(trimOffsets)),
                     ("use_regex", .bool(true))])
        }
        let pre: JSONValue = preTokenizer == .smollm
            ? .object([("type", .string("Sequence")), ("pretokenizers", .array([
                .object([("type", .string("Digits")), ("individual_digits", .bool(true))]), byteLevel(trimOffsets: true)]))])
            : byteLevel(trimOffsets: true)
        // model.vocab: the first id of each token text, in id order.
        var vocab: [(key: String, value: JSONValue)] = []
        var seen = Set<String>()
        var added: [JSONValue] = []
        for (id, token) in tokens.enumerated() {
            let kind = tokenTypes.flatMap { id < $0.count ? TokenKind(rawValue: $0[id]) : nil } ?? .normal
            if kind == .control || kind == .userDefined {
                added.append(.object([("id", .number(Double(id))), ("content", .string(token)), ("single_word", .bool(false)),
                                      ("lstrip", .bool(false)), ("rstrip", .bool(false)), ("normalized", .bool(kind == .userDefined)),
                                      ("special", .bool(kind == .control))]))
            }
            if seen.insert(token).inserted { vocab.append((token, .number(Double(id)))) }
        }
        let tokenizer: JSONValue = .object([
            ("version", .string("1.0")), ("truncation", .null), ("padding", .null), ("added_tokens", .array(added)),
            ("normalizer", .null), ("pre_tokenizer", pre), ("post_processor", byteLevel(trimOffsets: false)),
            ("decoder", byteLevel(trimOffsets: true)),
            ("model", .object([("type", .string("BPE")), ("dropout", .null), ("unk_token", .null), ("continuing_subword_prefix", .null),
                               ("end_of_word_suffix", .null), ("fuse_unk", .bool(false)), ("byte_fallback", .bool(false)),
                               ("ignore_merges", .bool(false)), ("vocab", .object(vocab)), ("merges", .array(merges.map(JSONValue.string)))])),
        ])
        var config: JSONValue = .object([("tokenizer_class", .string("GPT2Tokenizer")), ("clean_up_tokenization_spaces", .bool(false)),
                                         ("add_bos_token", .bool(addBOS ?? false)), ("model_max_length", .number(1_000_000_000))])
        for (key, id) in [("bos_token", bosID), ("eos_token", eosID), ("pad_token", padID), ("unk_token", unknownID)] {
            if let id, id < tokens.count { config = config.setting(key, to: .string(tokens[id])) }
        }
        if let chatTemplate { config = config.setting("chat_template", to: .string(chatTemplate)) }
        return ["tokenizer.json": Data(tokenizer.text(JSONStyle(spaced: false, sortedKeys: true)).utf8),
                "tokenizer_config.json": Data((config.text(.pretty(indent: 2, sortedKeys: true)) + "\n").utf8)]
    }
}
