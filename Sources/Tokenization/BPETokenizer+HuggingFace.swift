import Foundation

/// Loading Hugging Face `tokenizer.json` (+ `tokenizer_config.json`) files.
extension BPETokenizer {
    /// Loads `tokenizer.json` and, when present, `tokenizer_config.json` from a model folder.
    public static func load(huggingFaceDirectory directory: URL) throws -> BPETokenizer {
        let tokenizerURL = directory.appendingPathComponent("tokenizer.json")
        guard let data = try? Data(contentsOf: tokenizerURL) else {
            throw TokenizationError.invalidTokenizer("cannot read \(tokenizerURL.path)")
        }
        let config = try? Data(contentsOf: directory.appendingPathComponent("tokenizer_config.json"))
        return try BPETokenizer(huggingFaceTokenizerJSON: data, config: config)
    }

    /// Builds the tokenizer a `tokenizer.json` describes (BPE model; byte-level with a GPT-2,
    /// SmolLM2, Llama 3 or Qwen2 pre-tokenizer, or SentencePiece-style with `▁` and byte
    /// fallback). `config` (`tokenizer_config.json`) supplies the chat template, bos/eos/pad
    /// and `add_bos_token`.
    public convenience init(huggingFaceTokenizerJSON data: Data, config configData: Data? = nil) throws {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TokenizationError.invalidTokenizer("tokenizer.json is not a JSON object")
        }
        let config = configData.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
        guard let model = root["model"] as? [String: Any] else {
            throw TokenizationError.invalidTokenizer("tokenizer.json has no \"model\"")
        }
        let modelType = model["type"] as? String ?? "BPE"
        guard modelType == "BPE" else { throw TokenizationError.unsupportedModel(modelType) }
        guard let vocab = model["vocab"] as? [String: Int] else {
            throw TokenizationError.invalidTokenizer("model.vocab is not an object of token → id")
        }

        // Vocabulary: model entries plus added tokens (which may extend it).
        let added = root["added_tokens"] as? [[String: Any]] ?? []
        var size = (vocab.values.max() ?? -1) + 1
        for token in added { if let id = token["id"] as? Int { size = max(size, id + 1) } }
        guard size <= 10_000_000 else { throw TokenizationError.invalidTokenizer("vocabulary of \(size) ids") }
        var vocabulary = [String](repeating: "", count: size)
        var types = [Int](repeating: TokenKind.unused.rawValue, count: size)
        for (token, id) in vocab where id >= 0 {
            vocabulary[id] = token
            types[id] = Self.byteFallbackValue(token) != nil && (model["byte_fallback"] as? Bool ?? false)
                ? TokenKind.byte.rawValue : TokenKind.normal.rawValue
        }
        for token in added {
            guard let id = token["id"] as? Int, id >= 0, let content = token["content"] as? String else {
                throw TokenizationError.invalidTokenizer("an added token lacks id or content")
            }
            vocabulary[id] = content
            types[id] = (token["special"] as? Bool ?? false) ? TokenKind.control.rawValue : TokenKind.userDefined.rawValue
        }

        // Merges: "a b" strings or ["a", "b"] pairs.
        var merges = [String]()
        for item in model["merges"] as? [Any] ?? [] {
            if let rule = item as? String { merges.append(rule) }
            else if let pair = item as? [String], pair.count == 2 { merges.append(pair[0] + " " + pair[1]) }
            else { throw TokenizationError.invalidTokenizer("merge \(merges.count) is neither \"a b\" nor [a, b]") }
        }

        let layout = try HuggingFaceLayout(normalizer: root["normalizer"] as? [String: Any],
                                           preTokenizer: root["pre_tokenizer"] as? [String: Any])
        func id(of key: String) -> Int? {
            let value = config[key]
            let text = value as? String ?? (value as? [String: Any])?["content"] as? String
            return text.flatMap { t in vocabulary.firstIndex(of: t) }
        }
        // A post-processor that writes a special token first means "add BOS" (Llama 2, Llama 3).
        var bos = id(of: "bos_token"), addBOS = config["add_bos_token"] as? Bool
        if let processor = root["post_processor"] as? [String: Any],
           let first = (Self.templateProcessors(processor).first?["single"] as? [[String: Any]])?.first,
           let special = first["SpecialToken"] as? [String: Any], let name = special["id"] as? String {
            bos = bos ?? vocabulary.firstIndex(of: name)
            addBOS = addBOS ?? true
        }
        let unknown = (model["unk_token"] as? String).flatMap { vocabulary.firstIndex(of: $0) }
        if let unknown, types[unknown] == TokenKind.normal.rawValue { types[unknown] = TokenKind.unknown.rawValue }
        let special = SpecialTokenIDs(bos: bos, eos: id(of: "eos_token"), pad: id(of: "pad_token"), unknown: unknown)

        try self.init(vocabulary: vocabulary, merges: merges, tokenTypes: types, specialTokens: special,
                      preTokenizer: layout.preTokenizer, variant: layout.variant, addBOS: addBOS ?? false,
                      ignoreMerges: model["ignore_merges"] as? Bool ?? false, normalizeNFC: layout.nfc,
                      chatTemplate: Self.chatTemplate(in: config))
    }

    /// `TemplateProcessing` post-processors, alone or inside a `Sequence`.
    private static func templateProcessors(_ processor: [String: Any]) -> [[String: Any]] {
        if processor["type"] as? String == "TemplateProcessing" { return [processor] }
        return (processor["processors"] as? [[String: Any]] ?? []).flatMap(templateProcessors)
    }

    /// `chat_template` as a string, or the `default` entry of a list of named templates.
    private static func chatTemplate(in config: [String: Any]) -> String? {
        if let text = config["chat_template"] as? String { return text }
        let named = config["chat_template"] as? [[String: Any]] ?? []
        return (named.first { $0["name"] as? String == "default" } ?? named.first)?["template"] as? String
    }
}

/// What a `tokenizer.json`'s normalizer and pre-tokenizer amount to.
struct HuggingFaceLayout {
    var preTokenizer = PreTokenizer.none
    var variant = BPEVariant.byteLevel
    var nfc = false

    init(normalizer: [String: Any]?, preTokenizer: [String: Any]?) throws {
        var sentencePiece: SpacePrefix?
        for step in Self.flatten(normalizer, key: "normalizers") {
            switch step["type"] as? String {
            case "NFC": nfc = true
            case "Prepend" where step["prepend"] as? String == "\u{2581}": sentencePiece = .always
            case "Replace" where (step["pattern"] as? [String: Any])?["String"] as? String == " "
                                 && step["content"] as? String == "\u{2581}":
                sentencePiece = sentencePiece ?? .never
            default:
                throw TokenizationError.invalidTokenizer("unsupported normalizer \(step["type"] ?? "?")")
            }
        }
        var digits = false, byteLevel = false, regex: PreTokenizer?
        for step in Self.flatten(preTokenizer, key: "pretokenizers") {
            switch step["type"] as? String {
            case "ByteLevel":
                byteLevel = true
                if step["add_prefix_space"] as? Bool == true {
                    throw TokenizationError.unsupportedPreTokenizer("ByteLevel with add_prefix_space")
                }
                if step["use_regex"] as? Bool ?? true { regex = regex ?? .gpt2 }
            case "Digits" where step["individual_digits"] as? Bool == true:
                digits = true
            case "Split":
                let pattern = (step["pattern"] as? [String: Any])?["Regex"] as? String ?? ""
                guard let known = PreTokenizer(regex: pattern), step["behavior"] as? String == "Isolated" else {
                    throw TokenizationError.unsupportedPreTokenizer("Split \(pattern.debugDescription)")
                }
                regex = known
            case "Metaspace":
                let scheme = step["prepend_scheme"] as? String
                    ?? ((step["add_prefix_space"] as? Bool ?? true) ? "always" : "never")
                sentencePiece = scheme == "never" ? .never : scheme == "first" ? .firstUnlessSpaced : .alwaysUnlessSpaced
            default:
                throw TokenizationError.unsupportedPreTokenizer("\(step["type"] ?? "?") in tokenizer.json")
            }
        }
        if let sentencePiece, !byteLevel {
            variant = .sentencePiece(spacePrefix: sentencePiece)
            return
        }
        guard byteLevel else {
            throw TokenizationError.unsupportedPreTokenizer("none (neither ByteLevel nor a SentencePiece ▁ layout)")
        }
        switch (digits, regex ?? .none) {
        case (true, .gpt2): self.preTokenizer = .smollm
        case (false, let scanner): self.preTokenizer = scanner
        default: throw TokenizationError.unsupportedPreTokenizer("Digits before \(regex ?? .none)")
        }
    }

    /// The steps of a component that may be a `Sequence` of steps.
    private static func flatten(_ component: [String: Any]?, key: String) -> [[String: Any]] {
        guard let component else { return [] }
        if component["type"] as? String == "Sequence" {
            return (component[key] as? [[String: Any]] ?? []).flatMap { flatten($0, key: key) }
        }
        return [component]
    }
}
