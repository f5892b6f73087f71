import Tokenization

/// Renders examples the way the model sees them: conversations (and, by default, instruction
/// data) through the chat template; completion, text, and instruction data without a template
/// in a plain layout ending with the end-of-sequence token. Produces ids and the loss mask.
public struct ExampleRenderer: Sendable {
    public let tokenizer: any Tokenizer
    /// The chat template, given or detected from the tokenizer's; nil when it has none.
    public let template: ChatTemplate?
    public var options: RenderOptions

    /// - Parameter template: nil detects it from `tokenizer.chatTemplateSource`.
    public init(tokenizer: any Tokenizer, template: ChatTemplate? = nil, options: RenderOptions = RenderOptions()) {
        self.tokenizer = tokenizer
        self.template = template ?? tokenizer.chatTemplateSource.flatMap { try? ChatTemplate(detecting: $0) }
        self.options = options
    }

    /// Labels of the plain layout for instruction data without a template.
    public static let instructionHeader = "### Instruction:\n"
    public static let inputHeader = "### Input:\n"
    public static let responseHeader = "### Response:\n"

    /// Renders `example`; `file` names it in errors.
    public func render(_ example: Example, file: String = "<data>") throws -> RenderedExample {
        var (ids, trainable, turnEnds) = try renderFull(example, file: file)
        if options.loss == .allTokens { trainable = [Bool](repeating: true, count: ids.count) }
        let fullLength = ids.count
        var missingEnd = 0
        if let limit = options.sequenceLength, ids.count > limit {
            for turn in turnEnds where turn.start < limit && turn.end >= limit { missingEnd += 1 }
            ids.removeLast(ids.count - limit)
            trainable.removeLast(trainable.count - limit)
        }
        return RenderedExample(line: example.line, ids: ids, trainable: trainable, fullLength: fullLength,
                               turnsMissingEnd: missingEnd)
    }

    /// Ids, mask, and for each trained turn the token range from its first trained token to its
    /// end token.
    private func renderFull(_ example: Example, file: String) throws -> ([Int], [Bool], [(start: Int, end: Int)]) {
        switch example.content {
        case .chat(var messages):
            guard let template else {
                throw DatasetError.cannotRender(SourceLocation(file: file, line: example.line),
                    "the tokenizer has no chat template to render conversations; choose one (chatml, llama3, zephyr)")
            }
            if options.loss == .lastTurn, let last = messages.lastIndex(where: { $0.role == "assistant" }) {
                for index in messages.indices where messages[index].role == "assistant" && index != last {
                    messages[index].weight = 0
                }
            }
            let rendered: RenderedConversation
            do { rendered = try template.render(messages, tokenizer: tokenizer) } catch {
                throw DatasetError.cannotRender(SourceLocation(file: file, line: example.line), "\(error)")
            }
            var turns = [Int: (start: Int, end: Int)]()
            for (position, flag) in rendered.trainable.enumerated() where flag {
                guard let message = rendered.messageIndices[position] else { continue }
                turns[message] = (turns[message]?.start ?? position, position)
            }
            return (rendered.ids, rendered.trainable, turns.values.sorted { $0.start < $1.start })
        case .instruction(let instruction, let input, let output):
            if options.instructionThroughTemplate, template != nil {
                let prompt = input.isEmpty ? instruction : instruction + "\n\n" + input
                var chat = example
                chat.content = .chat([ChatMessage(role: "user", content: prompt), ChatMessage(role: "assistant", content: output)])
                return try renderFull(chat, file: file)
            }
            var prompt = Self.instructionHeader + instruction + "\n\n"
            if !input.isEmpty { prompt += Self.inputHeader + input + "\n\n" }
            prompt += Self.responseHeader
            return plain([(prompt, false), (output, true)])
        case .completion(let prompt, let completion):
            return plain([(prompt, false), (completion, true)])
        case .text(let text):
            return plain([(text, true)])
        }
    }

    /// Encodes the concatenated segments as data (special-token spellings in them stay text),
    /// gives each token its segment's flag by where its first byte lies, adds the tokenizer's
    /// beginning-of-sequence token when it adds one by default, and ends with a trained
    /// end-of-sequence token.
    private func plain(_ segments: [(text: String, trainable: Bool)]) -> ([Int], [Bool], [(start: Int, end: Int)]) {
        var starts = [Int](), text = ""
        for segment in segments { starts.append(text.utf8.count); text += segment.text }
        let encoding = tokenizer.encode(text, options: EncodingOptions(parseSpecialTokens: false, addBOS: false))
        var ids = [Int](), trainable = [Bool]()
        if tokenizer.addsBOSByDefault, let bos = tokenizer.specialTokens.bos { ids.append(bos); trainable.append(false) }
        var current = 0
        for (id, offset) in zip(encoding.ids, encoding.offsets) {
            while current + 1 < segments.count && starts[current + 1] <= offset { current += 1 }
            ids.append(id)
            trainable.append(segments[current].trainable)
        }
        if let eos = tokenizer.specialTokens.eos { ids.append(eos); trainable.append(true) }
        guard let first = trainable.firstIndex(of: true) else { return (ids, trainable, []) }
        return (ids, trainable, [(first, ids.count - 1)])
    }
}
