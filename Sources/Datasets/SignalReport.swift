/// Whether every example teaches something: trainable tokens after masking and truncation.
public struct SignalReport: Sendable, Hashable, Codable {
    /// Lines with no trainable token (all assistant turns `weight: 0`, or the target cut off).
    public var zeroTrainableLines: [Int]
    /// Lines where truncation cuts a trained turn before its end-of-turn token.
    public var missingEndLines: [Int]
    /// Trainable tokens over the set (nil without a tokenizer).
    public var trainableTokens: Int?
    /// Whether token-level checks ran (a tokenizer was available).
    public var tokenized: Bool

    init(zeroTrainableLines: [Int], missingEndLines: [Int], trainableTokens: Int?, tokenized: Bool) {
        self.zeroTrainableLines = zeroTrainableLines; self.missingEndLines = missingEndLines
        self.trainableTokens = trainableTokens; self.tokenized = tokenized
    }

    func section(file: String, listed: Int) -> CheckSection {
        let count = Set(zeroTrainableLines + missingEndLines).count
        var parts = ["\(zeroTrainableLines.count) with nothing to train on"]
        if tokenized {
            parts.append("\(missingEndLines.count) lose an end-of-turn token to truncation")
            if let trainableTokens { parts.append("\(trainableTokens.grouped) trained tokens") }
        } else {
            parts.append("end-of-turn truncation not checked (load a model)")
        }
        let worst = zeroTrainableLines.prefix(listed).map { ExampleReference(file: file, line: $0, note: "no trainable tokens") }
            + missingEndLines.prefix(listed).map { ExampleReference(file: file, line: $0, note: "end-of-turn token cut") }
        var fix: String?
        if !zeroTrainableLines.isEmpty { fix = "give those lines an assistant turn with weight 1 (or remove them)" }
        if !missingEndLines.isEmpty { fix = (fix.map { $0 + "; " } ?? "") + "raise seq or shorten those examples" }
        return CheckSection(name: "signal", status: count > 0 ? .problem : .ok, count: count,
                            summary: parts.joined(separator: ", "), worst: Array(worst.prefix(listed)), fix: fix)
    }
}
