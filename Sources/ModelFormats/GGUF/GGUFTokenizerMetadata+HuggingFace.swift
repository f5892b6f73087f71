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
        let byteLevel: [String: Any] = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true]
        let pre: [String: Any] = preTokenizer == .smollm
            ? ["type": "Sequence", "pretokenizers": [["type": "Digits", "individual_digits": true], byteLevel]]
            : byteLevel
        var vocab = [String: Int]()
        var added = [[String: Any]]()
        for (id, token) in tokens.enumerated() {
            let kind = tokenTypes.flatMap { id < $0.count ? TokenKind(rawValue: $0[id]) : nil } ?? .normal
            if kind == .control || kind == .userDefined {
                added.append(["id": id, "content": token, "single_word": false, "lstrip": false, "rstrip": false,
                              "normalized": kind == .userDefined, "special": kind == .control])
            }
            vocab[token] = vocab[token] ?? id
        }
        let tokenizer: [String: Any] = [
            "version": "1.0", "truncation": NSNull(), "padding": NSNull(), "added_tokens": added,
            "normalizer": NSNull(), "pre_tokenizer": pre, "post_processor": byteLevel.merging(["trim_offsets": false]) { $1 },
            "decoder": byteLevel,
            "model": ["type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": NSNull(),
                      "end_of_word_suffix": NSNull(), "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                      "vocab": vocab, "merges": merges] as [String: Any],
        ]
        var config: [String: Any] = ["tokenizer_class": "GPT2Tokenizer", "clean_up_tokenization_spaces": false,
                                     "add_bos_token": addBOS ?? false, "model_max_length": 1_000_000_000]
        for (key, id) in [("bos_token", bosID), ("eos_token", eosID), ("pad_token", padID), ("unk_token", unknownID)] {
            if let id, id < tokens.count { config[key] = tokens[id] }
        }
        if let chatTemplate { config["chat_template"] = chatTemplate }
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        return ["tokenizer.json": try JSONSerialization.data(withJSONObject: tokenizer, options: options),
                "tokenizer_config.json": try JSONSerialization.data(withJSONObject: config, options: options.union(.prettyPrinted))]
    }
}
