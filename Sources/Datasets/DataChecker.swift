import Tokenization

/// `data check [goal=…]`: runs the guide's data checklist over a loaded set.
public struct DataChecker: Sendable {
    /// The stated goal, for the size check.
    public var goal: TrainingGoal?
    /// Renders examples for token lengths and the training-signal check (nil: characters,
    /// and only the checks that need no tokenizer).
    public var renderer: ExampleRenderer?
    /// Counts tokens of an example when there is no renderer (e.g. a tokenizer without a template).
    public var tokenCounter: (@Sendable (Example) -> Int)?
    /// Length above which examples are reported as truncated (default: the renderer's).
    public var sequenceLength: Int?
    public var nearDuplicateThreshold: Double
    /// Examples listed per section.
    public var listed: Int

    public init(goal: TrainingGoal? = nil, renderer: ExampleRenderer? = nil, tokenCounter: (@Sendable (Example) -> Int)? = nil,
                sequenceLength: Int? = nil, nearDuplicateThreshold: Double = 0.8, listed: Int = 5) {
        self.goal = goal; self.renderer = renderer; self.tokenCounter = tokenCounter
        self.sequenceLength = sequenceLength ?? renderer?.options.sequenceLength
        self.nearDuplicateThreshold = nearDuplicateThreshold; self.listed = listed
    }

    public func check(_ dataset: Dataset) throws -> DataCheckReport {
        let file = dataset.fileName
        let duplicates = DuplicateReport(dataset: dataset,
                                         result: DuplicateFinder(nearThreshold: nearDuplicateThreshold).find(in: dataset.examples),
                                         threshold: nearDuplicateThreshold)
        let pii = PIIReport(dataset: dataset)
        let (source, labels) = LabelExtraction.labels(for: dataset.examples)
        let formatting = FormattingReport(dataset: dataset, labels: labels)
        let balance = BalanceReport(dataset: dataset, source: source, labels: labels)

        // Lengths and training signal.
        var lengths = [Int]()
        lengths.reserveCapacity(dataset.count)
        var zero = [Int](), missingEnd = [Int]()
        var trainedTokens = 0
        let unit: String
        if let renderer {
            unit = "tokens"
            var full = renderer
            full.options.sequenceLength = nil
            for example in dataset.examples {
                let rendered = try full.render(example, file: file)
                lengths.append(rendered.count)
                let truncated = sequenceLength.map { limit in
                    Self.truncate(rendered, to: limit)
                } ?? rendered
                if truncated.trainableCount == 0 { zero.append(example.line) }
                if truncated.turnsMissingEnd > 0 { missingEnd.append(example.line) }
                trainedTokens += truncated.trainableCount
            }
        } else {
            unit = tokenCounter == nil ? "characters" : "tokens"
            for example in dataset.examples {
                lengths.append(tokenCounter?(example) ?? example.content.characterCount)
                if case .chat(let messages) = example.content, !messages.contains(where: \.isTrainingTarget) {
                    zero.append(example.line)
                }
            }
        }
        let lengthReport = LengthReport(lengths: lengths, lines: dataset.examples.map(\.line), unit: unit,
                                        sequenceLength: sequenceLength)
        let signal = SignalReport(zeroTrainableLines: zero, missingEndLines: missingEnd,
                                  trainableTokens: renderer == nil ? nil : trainedTokens, tokenized: renderer != nil)
        let size = SizeReport(examples: dataset.count, goal: goal)
        let tags = TagCoverage(dataset: dataset)
        let sections = [
            duplicates.section(file: file, listed: listed),
            pii.section(file: file, listed: listed),
            formatting.section(dataset: dataset, listed: listed),
            balance.section(file: file, listed: listed),
            lengthReport.section(file: file, listed: listed),
            size.section(file: file),
            signal.section(file: file, listed: listed),
        ] + (tags.map { [$0.section(file: file, listed: listed)] } ?? [])
        return DataCheckReport(file: file, format: dataset.format, examples: dataset.count, skippedLines: dataset.skipped.count,
                               goal: goal, duplicates: duplicates, pii: pii, formatting: formatting, balance: balance,
                               lengths: lengthReport, size: size, signal: signal, tags: tags, sections: sections)
    }

    /// `rendered` cut to `limit` tokens, with the end-of-turn accounting redone on the cut.
    static func truncate(_ rendered: RenderedExample, to limit: Int) -> RenderedExample {
        guard rendered.count > limit else { return rendered }
        var cut = rendered
        cut.ids.removeLast(rendered.count - limit)
        cut.trainable.removeLast(rendered.count - limit)
        // A trained run that reaches the limit continues past it: its end token is lost.
        cut.turnsMissingEnd = (limit > 0 && rendered.trainable[limit - 1] && rendered.trainable[limit]) ? 1 : 0
        return cut
    }
}
