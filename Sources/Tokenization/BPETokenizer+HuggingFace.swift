import Essentials
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
        let root = try Self.parseObject(data, file: "tokenizer.json")
        // A tokenizer_config.json that is missing or not JSON gives no chat template or special tokens.
        let config = configData.flatMap { try? Self.parseObject($0, file: "tokenizer_config.json") } ?? .object([])
        guard let model = root["model"], model.objectValue != nil else {
            throw TokenizationError.invalidTokenizer("tokenizer.json has no \"model\" object")
        }
        let modelType = model["type"]?.stringValue ?? "BPE"
        guard modelType == "BPE" else { throw TokenizationError.unsupportedModel(modelType) }
        guard let vocabPairs = model["vocab"]?.objectValue else {
            throw TokenizationError.invalidTokenizer("model.vocab is not an object of token → id")
        }
        var vocab: [(token: String, id: Int)] = []
        vocab.reserveCapacity(vocabPairs.count)
        for (token, value) in vocabPairs {
            guard let id = value.intValue else {
                throw TokenizationError.invalidTokenizer("model.vocab[\(JSONValue.quoted(token))] is \(value.typeDescription), not a token id")
            }
            vocab.append((token, id))
        }

        // Vocabulary: model entries plus added tokens (which may extend it).
        let added = root["added_tokens"]?.arrayValue ?? []
        var size = (vocab.map(\.id).max() ?? -1) + 1
        for token in added { if let id = token["id"]?.intValue { size = max(size, id + 1) } }
        guard size <= 10_000_000 else { throw TokenizationError.invalidTokenizer("vocabulary of \(size) ids") }
        var vocabulary = [String](repeating: "", count: size)
        var types = [Int](repeating: TokenKind.unused.rawValue, count: size)
        let byteFallback = model["byte_fallback"]?.boolValue ?? false
        for (token, id) in vocab where id >= 0 {
            vocabulary[id] = token
            types[id] = Self.byteFallbackValue(token) != nil && byteFallback ? TokenKind.byte.rawValue : TokenKind.normal.rawValue
        }
        for token in added {
            guard let id = token["id"]?.intValue, id >= 0, let content = token["content"]?.stringValue else {
                throw TokenizationError.invalidTokenizer("an added token lacks id or content")
            }
            vocabulary[id] = content
            types[id] = (token["special"]?.boolValue ?? false) ? TokenKind.control.rawValue : TokenKind.userDefined.rawValue
        }

        // Merges: "a b" strings or ["a", "b"] pairs.
        var merges = [String]()
        for item in model["merges"]?.arrayValue ?? [] {
            if let rule = item.stringValue { merges.append(rule) }
            else if let pair = item.arrayValue?.compactMap(\.stringValue), pair.count == 2, item.arrayValue?.count == 2 {
                merges.append(pair[0] + " " + pair[1])
            } else { throw TokenizationError.invalidTokenizer("merge \(merges.count) is neither \"a b\" nor [a, b]") }
        }

        let layout = try HuggingFaceLayout(normalizer: root["normalizer"], preTokenizer: root["pre_tokenizer"])
        func id(of key: String) -> Int? {
            let value = config[key]
            let text = value?.stringValue ?? value?["content"]?.stringValue
            return text.flatMap { t in vocabulary.firstIndex(of: t) }
        }
        // A post-processor that writes a special token first means "add BOS" (Llama 2, Llama 3).
        var bos = id(of: "bos_token"), addBOS = config["add_bos_token"]?.boolValue
        if let processor = root["post_processor"],
           let first = Self.templateProcessors(processor).first?["single"]?.arrayValue?.first,
           let name = first["SpecialToken"]?["id"]?.stringValue {
            bos = bos ?? vocabulary.firstIndex(of: name)
            addBOS = addBOS ?? true
        }
        let unknown = model["unk_token"]?.stringValue.flatMap { vocabulary.firstIndex(of: $0) }
        if let unknown, types[unknown] == TokenKind.normal.rawValue { types[unknown] = TokenKind.unknown.rawValue }
        let special = SpecialTokenIDs(bos: bos, eos: id(of: "eos_token"), pad: id(of: "pad_token"), unknown: unknown)

        try self.init(vocabulary: vocabulary, merges: merges, tokenTypes: types, specialTokens: special,
                      preTokenizer: layout.preTokenizer, variant: layout.variant, addBOS: addBOS ?? false,
                      ignoreMerges: model["ignore_merges"]?.boolValue ?? false, normalizeNFC: layout.nfc,
                      chatTemplate: Self.chatTemplate(in: config))
    }

    /// The top-level object of a JSON file, or an error naming the file and the byte where it breaks.
    static func parseObject(_ data: Data, file: String) throws -> JSONValue {
        let value: JSONValue
        do { value = try JSONValue.parse([UInt8](data)) } catch {
            throw TokenizationError.invalidTokenizer("\(file) is not valid JSON: \(error.message) at byte \(error.offset)")
        }
        guard value.objectValue != nil else {
            throw TokenizationError.invalidTokenizer("\(file) is \(value.typeDescription), not a JSON object")
        }
        return value
    }

    /// `TemplateProcessing` post-processors, alone or inside a `Sequence`.
    private static func templateProcessors(_ processor: JSONValue) -> [JSONValue] {
        if processor["type"]?.stringValue == "TemplateProcessing" { return [processor] }
        return (processor["processors"]?.arrayValue ?? []).flatMap(templateProcessors)
    }

    /// `chat_template` as a string, or the `default` entry of a list of named templates.
    private static func chatTemplate(in config: JSONValue) -> String? {
        if let text = config["chat_template"]?.stringValue { return text }
        let named = config["chat_template"]?.arrayValue ?? []
        return (named.first { $0["name"]?.stringValue == "default" } ?? named.first)?["template"]?.stringValue
    }
}

/// What a `tokenizer.json`'s normalizer and pre-tokenizer amount to.
struct HuggingFaceLayout {
    var preTokenizer = PreTokenizer.none
    var variant = BPEVariant.byteLevel
    var nfc = false

    init(normalizer: JSONValue?, preTokenizer: JSONValue?) throws {
        var sentencePiece: SpacePrefix?
        for step in Self.flatten(normalizer, key: "normalizers") {
            switch step["type"]?.stringValue {
            case "NFC": nfc = true
            case "Prepend" where step["prepend"]?.stringValue == "\u{2581}": sentencePiece = .always
            case "Replace" where step["pattern"]?["String"]?.stringValue == " " && step["content"]?.stringValue == "\u{2581}":
                sentencePiece = sentencePiece ?? .never
            default:
                throw TokenizationError.invalidTokenizer("unsupported normalizer \(step["type"]?.stringValue ?? "?")")
            }
        }
        var digits = false, byteLevel = false, regex: PreTokenizer?
        for step in Self.flatten(preTokenizer, key: "pretokenizers") {
            switch step["type"]?.stringValue {
            case "ByteLevel":
                byteLevel = true
                if step["add_prefix_space"]?.boolValue == true {
                    throw TokenizationError.unsupportedPreTokenizer("ByteLevel with add_prefix_space")
                }
                if step["use_regex"]?.boolValue ?? true { regex = regex ?? .gpt2 }
            case "Digits" where step["individual_digits"]?.boolValue == true:
                digits = true
            case "Split":
                let pattern = step["pattern"]?["Regex"]?.stringValue ?? ""
                guard let known = PreTokenizer(regex: pattern), step["behavior"]?.stringValue == "Isolated" else {
                    throw TokenizationError.unsupportedPreTokenizer("Split \(pattern.debugDescription)")
                }
                regex = known
            case "Metaspace":
                let scheme = step["prepend_scheme"]?.stringValue
                    ?? ((step["add_prefix_space"]?.boolValue ?? true) ? "always" : "never")
                sentencePiece = scheme == "never" ? .never : scheme == "first" ? .firstUnlessSpaced : .alwaysUnlessSpaced
            default:
                throw TokenizationError.unsupportedPreTokenizer("\(step["type"]?.stringValue ?? "?") in tokenizer.json")
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
    private static func flatten(_ component: JSONValue?, key: String) -> [JSONValue] {
        guard let component, component.objectValue != nil else { return [] }
        if component["type"]?.stringValue == "Sequence" {
            return (component[key]?.arrayValue ?? []).flatMap { flatten($0, key: key) }
        }
        return [component]
    }
}
