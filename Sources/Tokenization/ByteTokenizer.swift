/// The toy model's tokenizer: one token per byte (ids 0...255) and the ChatML special tokens
/// `<|endoftext|>` (256, padding), `<|im_start|>` (257, beginning of sequence) and
/// `<|im_end|>` (258, end of turn and sequence). Vocabulary of 259; ChatML template.
///
/// Every string round-trips exactly; tokens are as long as the UTF-8 text.
public struct ByteTokenizer: Tokenizer {
    /// The special tokens, in id order after the 256 bytes.
    public static let specialTokenTexts = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

    private let matcher = SpecialTokenMatcher(tokens: ByteTokenizer.specialTokenTexts.enumerated()
        .map { ($0.element, Int32(256 + $0.offset)) })

    public init() {}

    public var vocabularySize: Int { 256 + Self.specialTokenTexts.count }
    public var specialTokens: SpecialTokenIDs { SpecialTokenIDs(bos: 257, eos: 258, pad: 256) }
    public var addsBOSByDefault: Bool { false }
    public var spacePrefix: SpacePrefix { .never }

    /// ChatML without a default system prompt (what `ChatTemplate(detecting:)` recognises).
    public var chatTemplateSource: String? {
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
    }

    public func encode(_ text: String, options: EncodingOptions) -> TokenEncoding {
        var result = TokenEncoding()
        if options.addBOS ?? false { result.ids.append(257); result.offsets.append(0) }
        var text = text
        text.withUTF8 { buffer in
            let segments: [SpecialTokenMatcher.Segment] = options.parseSpecialTokens
                ? matcher.segments(of: buffer) : (buffer.isEmpty ? [] : [.text(0..<buffer.count)])
            for segment in segments {
                switch segment {
                case .token(let id, let range):
                    result.ids.append(Int(id)); result.offsets.append(range.lowerBound)
                case .text(let range):
                    for i in range { result.ids.append(Int(buffer[i])); result.offsets.append(i) }
                }
            }
        }
        return result
    }

    public func token(for id: Int) -> String? {
        switch id {
        case 0..<256: return String(ByteLevelAlphabet.scalars[id])
        case 256..<vocabularySize: return Self.specialTokenTexts[id - 256]
        default: return nil
        }
    }

    public func id(for token: String) -> Int? {
        if let index = Self.specialTokenTexts.firstIndex(of: token) { return 256 + index }
        if let bytes = ByteLevelAlphabet.decode(token), bytes.count == 1 { return Int(bytes[0]) }
        return nil
    }

    public func kind(of id: Int) -> TokenKind {
        switch id {
        case 0..<256: return .byte
        case 256..<vocabularySize: return .control
        default: return .unused
        }
    }

    public func bytes(of id: Int) -> [UInt8] {
        switch id {
        case 0..<256: return [UInt8(id)]
        case 256..<vocabularySize: return Array(Self.specialTokenTexts[id - 256].utf8)
        default: return []
        }
    }
}

extension ByteTokenizer: CustomStringConvertible {
    public var description: String { "byte-level, 256 bytes + \(Self.specialTokenTexts.count) specials (\(Self.specialTokenTexts.joined(separator: " ")))" }
}
