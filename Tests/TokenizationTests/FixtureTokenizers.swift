import Foundation
import Tokenization

/// Small `tokenizer.json` / `tokenizer_config.json` files built in code, in the layouts of
/// Llama 3, Qwen2 and TinyLlama (SentencePiece-style BPE with byte fallback).
///
/// Expected ids in the tests come from Hugging Face `tokenizers` 0.23 loading these same JSON
/// files (written out with `ATTUNE_FIXTURE_OUT=dir swift test --filter FixtureExport`).
enum FixtureTokenizers {
    /// Words whose merges the byte-level fixtures learn, in alphabet spelling, merged left to right.
    static let byteLevelWords = ["Ġthe", "Ġworld", "Hello", "Ġhello", "ing", "Ġit", "'s", "Ġapples", "12", "123", "ĠĠ",
                                 "ĊĊ", "Ġindented", "ĉ", "ĠI", "'M", "ĠHERE", "'S", "!Ċ", "ä½ł", "åĥ"]

    /// A byte-level vocabulary: 256 byte scalars, then each word's prefixes; merges in order.
    static func byteLevelModel(words: [String]) -> (vocab: [String], merges: [String]) {
        var vocab = ByteLevelAlphabet.scalars.map { String($0) }
        var known = Set(vocab), merges = [String]()
        for word in words {
            var current = String(word.first!)
            for character in word.dropFirst() {
                let next = current + String(character)
                if !known.contains(next) {
                    merges.append(current + " " + String(character))
                    vocab.append(next); known.insert(next)
                }
                current = next
            }
        }
        return (vocab, merges)
    }

    static func json(_ object: Any) -> Data {
        try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    static func addedTokens(_ texts: [String], from first: Int) -> [[String: Any]] {
        texts.enumerated().map { ["id": first + $0.offset, "content": $0.element, "special": true,
                                  "single_word": false, "lstrip": false, "rstrip": false, "normalized": false] }
    }

    static func vocabObject(_ vocab: [String]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: vocab.enumerated().map { ($0.element, $0.offset) })
    }

    /// Llama 3 layout: Split(Llama 3 regex) + ByteLevel without regex, `ignore_merges`, BOS by
    /// post-processor, header/eot specials, Llama 3 chat template.
    static func llama3() -> (tokenizer: Data, config: Data) {
        let (vocab, merges) = byteLevelModel(words: byteLevelWords)
        let specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
        let tokenizer: [String: Any] = [
            "version": "1.0",
            "added_tokens": addedTokens(specials, from: vocab.count),
            "normalizer": NSNull(),
            "pre_tokenizer": ["type": "Sequence", "pretokenizers": [
                ["type": "Split", "pattern": ["Regex": PreTokenizer.llama3.pattern], "behavior": "Isolated", "invert": false],
                ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false]]],
            "post_processor": ["type": "TemplateProcessing",
                               "single": [["SpecialToken": ["id": "<|begin_of_text|>", "type_id": 0]],
                                          ["Sequence": ["id": "A", "type_id": 0]]],
                               "pair": [] as [Any],
                               "special_tokens": ["<|begin_of_text|>": ["id": "<|begin_of_text|>", "ids": [vocab.count], "tokens": ["<|begin_of_text|>"]]]],
            "decoder": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true],
            "model": ["type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": NSNull(),
                      "end_of_word_suffix": NSNull(), "fuse_unk": false, "byte_fallback": false, "ignore_merges": true,
                      "vocab": vocabObject(vocab), "merges": merges],
        ]
        let config: [String: Any] = [
            "bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>",
            "chat_template": "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}",
        ]
        return (json(tokenizer), json(config))
    }

    /// Qwen2 layout: NFC normalizer, Split(Qwen2 regex) + ByteLevel, ChatML specials and template
    /// with a default system prompt, merges as `[a, b]` pairs (newer tokenizer.json format).
    static func qwen2() -> (tokenizer: Data, config: Data) {
        let (vocab, merges) = byteLevelModel(words: byteLevelWords)
        let specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
        let tokenizer: [String: Any] = [
            "version": "1.0",
            "added_tokens": addedTokens(specials, from: vocab.count),
            "normalizer": ["type": "NFC"],
            "pre_tokenizer": ["type": "Sequence", "pretokenizers": [
                ["type": "Split", "pattern": ["Regex": PreTokenizer.qwen2.pattern], "behavior": "Isolated", "invert": false],
                ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false]]],
            "post_processor": ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false],
            "decoder": ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false],
            "model": ["type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": "",
                      "end_of_word_suffix": "", "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                      "vocab": vocabObject(vocab), "merges": merges.map { $0.split(separator: " ").map(String.init) }],
        ]
        let config: [String: Any] = [
            "bos_token": NSNull(), "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
            "chat_template": "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
        ]
        return (json(tokenizer), json(config))
    }

    /// Words for the SentencePiece fixture, `▁` for spaces.
    static let sentencePieceWords = ["▁the", "▁world", "▁Hello", "▁hello", "ing", "▁it", "'s", "▁apples", "▁▁", "▁I",
                                     "▁user", "▁assistant", "<|", "|>"]

    /// TinyLlama layout: `<unk> <s> </s>`, 256 `<0xNN>` byte tokens, single characters, merges;
    /// legacy normalizer (Prepend ▁, Replace space → ▁), no pre-tokenizer, BOS added, Zephyr template.
    static func tinyLlama() -> (tokenizer: Data, config: Data) {
        var vocab = ["<unk>", "<s>", "</s>"] + (0..<256).map { String(format: "<0x%02X>", $0) }
        let characters = "▁abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?'<|>/\n"
        vocab += characters.map { String($0) }
        var known = Set(vocab), merges = [String]()
        for word in sentencePieceWords {
            var current = String(word.first!)
            for character in word.dropFirst() {
                let next = current + String(character)
                if !known.contains(next) { merges.append(current + " " + String(character)); vocab.append(next); known.insert(next) }
                current = next
            }
        }
        let added: [[String: Any]] = (0..<3).map { ["id": $0, "content": vocab[$0], "special": true, "single_word": false,
                                                    "lstrip": false, "rstrip": false, "normalized": false] }
        let tokenizer: [String: Any] = [
            "version": "1.0",
            "added_tokens": added,
            "normalizer": ["type": "Sequence", "normalizers": [
                ["type": "Prepend", "prepend": "▁"],
                ["type": "Replace", "pattern": ["String": " "], "content": "▁"]]],
            "pre_tokenizer": NSNull(),
            "post_processor": ["type": "TemplateProcessing",
                               "single": [["SpecialToken": ["id": "<s>", "type_id": 0]], ["Sequence": ["id": "A", "type_id": 0]]],
                               "pair": [] as [Any],
                               "special_tokens": ["<s>": ["id": "<s>", "ids": [1], "tokens": ["<s>"]]]],
            "decoder": ["type": "Sequence", "decoders": [
                ["type": "Replace", "pattern": ["String": "▁"], "content": " "],
                ["type": "ByteFallback"], ["type": "Fuse"], ["type": "Strip", "content": " ", "start": 1, "stop": 0]]],
            "model": ["type": "BPE", "dropout": NSNull(), "unk_token": "<unk>", "continuing_subword_prefix": NSNull(),
                      "end_of_word_suffix": NSNull(), "fuse_unk": true, "byte_fallback": true, "ignore_merges": false,
                      "vocab": vocabObject(vocab), "merges": merges],
        ]
        let config: [String: Any] = [
            "add_bos_token": true, "add_eos_token": false,
            "bos_token": ["content": "<s>", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false],
            "eos_token": ["content": "</s>", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false],
            "unk_token": "<unk>",
            "chat_template": "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}",
        ]
        return (json(tokenizer), json(config))
    }

    /// Strings each fixture is checked on (expected ids in `FixtureExpectations`).
    static let probes = [
        "Hello world, it's 12345 apples!\n\n  indented\tTab",
        "I'M HERE'S the hello-world",
        "\u{4F60}\u{597D} \u{1F44B}\u{1F3FD} caf\u{E9} cafe\u{301}",
        "a<|eot_id|>b<|im_end|>c</s>d<s> e",
        "   spaces   \n\n\n  end  ",
    ]
}

import XCTest

/// Writes the fixtures out for the Python cross-check (skipped unless `ATTUNE_FIXTURE_OUT` is set).
final class FixtureExport: XCTestCase {
    func testExport() throws {
        guard let out = ProcessInfo.processInfo.environment["ATTUNE_FIXTURE_OUT"] else { throw XCTSkip("ATTUNE_FIXTURE_OUT unset") }
        let dir = URL(fileURLWithPath: out)
        for (name, files) in [("llama3", FixtureTokenizers.llama3()), ("qwen2", FixtureTokenizers.qwen2()),
                              ("tinyllama", FixtureTokenizers.tinyLlama())] {
            let folder = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try files.tokenizer.write(to: folder.appendingPathComponent("tokenizer.json"))
            try files.config.write(to: folder.appendingPathComponent("tokenizer_config.json"))
        }
        try FixtureTokenizers.json(FixtureTokenizers.probes).write(to: dir.appendingPathComponent("probes.json"))
    }
}
