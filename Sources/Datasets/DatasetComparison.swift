import Essentials

/// `data compare A B`: how a second set (held-out data, a serving log) relates to a reference set
/// (the training data) — leakage (B's examples or prompts that also occur in A) and drift (how
/// B's lengths, labels and words are distributed compared with A's).
///
/// - Leakage: the same example (after case and spacing normalisation), the same prompt with any
///   answer, or a near copy (MinHash over word 3-shingles, estimated Jaccard ≥ `nearThreshold`).
/// - Lengths: words per example, binned at A's deciles; PSI of B against A.
/// - Labels (when both sets have them): PSI over the union of labels.
/// - Words: the `vocabularySize` most frequent words of A plus one "other" bin; PSI and KL(B ‖ A).
/// - Unusual examples: B's examples with the largest share of words A never uses.
public struct DatasetComparison: Sendable {
    /// One example of B that also occurs in A.
    public struct Leak: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable {
            /// The whole example, after normalising case and spacing.
            case exact
            /// The same prompt (input side), whatever the answer.
            case samePrompt = "same prompt"
            /// Estimated Jaccard similarity of word 3-shingles at or above the threshold.
            case near
        }
        /// Index in A and in B.
        public var reference: Int
        public var candidate: Int
        public var kind: Kind
        /// Estimated similarity (1 for exact and same-prompt leaks).
        public var similarity: Double
    }

    /// One binned distribution of A and B and its shift.
    public struct Shift: Sendable {
        /// Bin names (`≤ 12 words`, a label, a word, `other`).
        public var bins: [String]
        public var reference: [Double]
        public var candidate: [Double]
        public var psi: Double
        public var band: DistributionShift.Band
    }

    /// B's examples that occur in A, one entry per example of B (the strongest kind).
    public var leaks: [Leak]
    /// Words per example.
    public var lengths: Shift
    /// Labels, when both sets have them.
    public var labels: Shift?
    /// Word frequencies (A's most frequent words and "other").
    public var words: Shift
    /// KL(B ‖ A) over the word bins, in nats.
    public var wordKL: Double
    /// B's examples with the largest share of words A never uses: (index in B, share).
    public var unusual: [(index: Int, unseenShare: Double)]
    /// Sizes.
    public var referenceCount: Int
    public var candidateCount: Int

    public var nearThreshold: Double
    public var vocabularySize: Int

    /// The largest of the shifts' PSI bands.
    public var band: DistributionShift.Band {
        let all = [lengths.band, words.band] + (labels.map { [$0.band] } ?? [])
        return all.contains(.major) ? .major : all.contains(.moderate) ? .moderate : .stable
    }

    public init(reference a: [Example], candidate b: [Example], nearThreshold: Double = 0.8, vocabularySize: Int = 100) {
        self.nearThreshold = nearThreshold
        self.vocabularySize = vocabularySize
        referenceCount = a.count
        candidateCount = b.count
        leaks = Self.findLeaks(a, b, nearThreshold: nearThreshold)

        let lengthsA = a.map { Self.words(in: $0).count }, lengthsB = b.map { Self.words(in: $0).count }
        let edges = DistributionShift.decileEdges(lengthsA)
        var lengthBins: [String] = []
        for (i, edge) in edges.enumerated() {
            let lower = i == 0 ? nil : edges[i - 1] + 1
            lengthBins.append(lower.map { $0 == edge ? "\(edge) words" : "\($0)–\(edge) words" } ?? "≤ \(edge) words")
        }
        lengthBins.append(edges.last.map { "> \($0) words" } ?? "all lengths")
        lengths = Self.shift(bins: lengthBins, DistributionShift.histogram(lengthsA, edges: edges),
                             DistributionShift.histogram(lengthsB, edges: edges))

        let labelsA = LabelExtraction.labels(for: a), labelsB = LabelExtraction.labels(for: b)
        if labelsA.source != .none, labelsB.source != .none {
            let canonicalA = labelsA.labels.map { $0.map(LabelExtraction.canonical) ?? "(none)" }
            let canonicalB = labelsB.labels.map { $0.map(LabelExtraction.canonical) ?? "(none)" }
            let names = Set(canonicalA + canonicalB).sorted()
            labels = Self.shift(bins: names, names.map { n in canonicalA.filter { $0 == n }.count },
                                names.map { n in canonicalB.filter { $0 == n }.count })
        } else {
            labels = nil
        }

        var countsA: [String: Int] = [:], countsB: [String: Int] = [:]
        let wordsA = a.map(Self.words(in:)), wordsB = b.map(Self.words(in:))
        for list in wordsA { for w in list { countsA[w, default: 0] += 1 } }
        for list in wordsB { for w in list { countsB[w, default: 0] += 1 } }
        let top = countsA.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(vocabularySize).map(\.key)
        let topSet = Set(top)
        let totalA = countsA.values.reduce(0, +), totalB = countsB.values.reduce(0, +)
        let binsA = top.map { countsA[$0] ?? 0 } + [totalA - top.reduce(0) { $0 + (countsA[$1] ?? 0) }]
        let binsB = top.map { countsB[$0] ?? 0 } + [totalB - countsB.filter { topSet.contains($0.key) }.values.reduce(0, +)]
        words = Self.shift(bins: top + ["other"], binsA, binsB)
        wordKL = DistributionShift.klDivergence(words.candidate, from: words.reference)

        let seen = Set(countsA.keys)
        unusual = wordsB.enumerated().compactMap { index, list -> (index: Int, unseenShare: Double)? in
            guard !list.isEmpty else { return nil }
            let share = Double(list.filter { !seen.contains($0) }.count) / Double(list.count)
            return share > 0 ? (index, share) : nil
        }.sorted { ($0.unseenShare, -$0.index) > ($1.unseenShare, -$1.index) }.prefix(5).map { $0 }
    }

    static func shift(bins: [String], _ a: [Int], _ b: [Int]) -> Shift {
        let pa = DistributionShift.proportions(a), pb = DistributionShift.proportions(b)
        let psi = DistributionShift.psi(expected: pa, actual: pb)
        return Shift(bins: bins, reference: pa, candidate: pb, psi: psi, band: DistributionShift.Band(psi: psi))
    }

    /// The input side of an example: a conversation without its last assistant reply (and system
    /// prompt), an instruction with its input, a completion's prompt; a plain text is all input.
    public static func promptText(_ example: Example) -> String {
        switch example.content {
        case .chat(let messages):
            var kept = messages.filter { $0.role != "system" }
            if let last = kept.lastIndex(where: { $0.role == "assistant" }) { kept.removeSubrange(last...) }
            return kept.map { "\($0.role): \($0.content)" }.joined(separator: "\n")
        case .instruction(let instruction, let input, _): return "instruction: \(instruction)\ninput: \(input)"
        case .completion(let prompt, _): return prompt
        case .text(let text): return text
        }
    }

    /// Lowercased words (runs of letters and digits) of every field but a system prompt.
    static func words(in example: Example) -> [String] {
        var out: [String] = []
        var current = String.UnicodeScalarView()
        func flush() { if !current.isEmpty { out.append(String(current)); current = String.UnicodeScalarView() } }
        for (_, text) in DuplicateFinder.fieldsForComparison(example) {
            for scalar in text.lowercased().unicodeScalars {
                if scalar.properties.isAlphabetic || scalar.properties.numericType != nil { current.append(scalar) } else { flush() }
            }
            flush()
        }
        return out
    }

    /// B's examples that also occur in A, one per example of B (the strongest kind: exact, then
    /// the same prompt, then near), in B's order. `eval` uses it to warn about training overlap.
    public static func findLeaks(_ a: [Example], _ b: [Example], nearThreshold: Double) -> [Leak] {
        var exactA: [UInt64: Int] = [:], promptA: [UInt64: Int] = [:]
        for (i, example) in a.enumerated() {
            let exact = TextNormalization.normalizedHash(example.content.identityText)
            if exactA[exact] == nil { exactA[exact] = i }
            let prompt = TextNormalization.normalizedHash(promptText(example))
            if promptA[prompt] == nil { promptA[prompt] = i }
        }
        var leaks: [Int: Leak] = [:]
        for (j, example) in b.enumerated() {
            if let i = exactA[TextNormalization.normalizedHash(example.content.identityText)] {
                leaks[j] = Leak(reference: i, candidate: j, kind: .exact, similarity: 1)
            } else if example.format != .text, !promptText(example).isEmpty,
                      let i = promptA[TextNormalization.normalizedHash(promptText(example))] {
                leaks[j] = Leak(reference: i, candidate: j, kind: .samePrompt, similarity: 1)
            }
        }
        // Near copies: one MinHash over both sets (boilerplate fields of the union left out), pairs
        // that cross from A to B.
        let all = a + b
        let boilerplate = DuplicateFinder.boilerplate(in: all)
        let minHash = MinHash()
        let signatures = all.map { minHash.signature(DuplicateFinder.distinctiveText($0, boilerplate: boilerplate)) }
        for (i, j, similarity) in minHash.similarPairs(signatures, threshold: nearThreshold) where i < a.count && j >= a.count {
            let candidate = j - a.count
            if let existing = leaks[candidate], existing.kind != .near || existing.similarity >= similarity { continue }
            leaks[candidate] = Leak(reference: i, candidate: candidate, kind: .near, similarity: similarity)
        }
        return leaks.values.sorted { $0.candidate < $1.candidate }
    }
}
