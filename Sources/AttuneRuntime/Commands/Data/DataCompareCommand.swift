import AttuneLanguage
import Datasets
import Foundation

/// `data compare A [B] [near=] [words=]`: leakage and drift between two JSONL sets (training vs
/// held-out vs a serving log). With one path, A is the loaded data (its train part after a split).
struct DataCompareCommand: RuntimeCommand {
    let spec = StandardSpec.named("data compare")
    let schema = ArgumentSchema([
        .positional("first", .path, "the reference set (usually the training data), or the set to compare with the loaded data"),
        .positional("second", .path, default: "the loaded data", required: false, "the set to compare with the first"),
        .keyed("near", .fraction, default: "0.8", "estimated Jaccard similarity of word 3-shingles from which two examples count as near copies"),
        .keyed("words", .integer(.positive), default: "100", "how many of the reference's most frequent words get their own bin"),
    ])
    let help = CommandHelp("""
        Compares two JSONL sets: A, the reference (the training data), and B (held-out data, a \
        test set, a serving log). Leakage: examples of B that also occur in A — the same example \
        after normalising case and spacing, the same prompt with any answer, or a near copy \
        (MinHash, near=0.8) — which make B's evaluation overstate quality. Drift: B's lengths \
        (words, binned at A's deciles), labels (when both have them) and words (A's 100 most \
        frequent words and one bin for the rest) against A's, each as a population stability \
        index (PSI = Σ (b − a)·ln(b/a), empty bins floored at 1e-4; below 0.1 stable, 0.1–0.25 \
        moderate, 0.25 or more major) and KL(B ‖ A) for the words, with the examples of B that use \
        the most words A never does. With one path, it is compared with the loaded data (its \
        train part after data split). The loaded data is not changed.
        """, examples: ["data compare \"data/heldout.jsonl\"", "data compare \"data/train.jsonl\" \"logs/serve.jsonl\" near=0.7"])

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        guard let firstPath = a.word("first") else { return }
        let first = try read(firstPath, argument: "first", context)
        let reference: (name: String, examples: [Example])
        let candidate: (name: String, examples: [Example])
        if let secondPath = a.word("second") {
            let second = try read(secondPath, argument: "second", context)
            reference = (DataCommands.displayPath(first.url, context), first.dataset.examples)
            candidate = (DataCommands.displayPath(second.url, context), second.dataset.examples)
        } else {
            let loaded = try DataCommands.dataset(context)
            let examples = context.session.split.map { loaded.subset($0.train).examples } ?? loaded.examples
            let name = (context.session.dataPath.map { DataCommands.displayPath($0, context) } ?? loaded.fileName)
                + (context.session.split != nil ? " (train part)" : "")
            reference = (name, examples)
            candidate = (DataCommands.displayPath(first.url, context), first.dataset.examples)
        }
        guard !reference.examples.isEmpty, !candidate.examples.isEmpty else {
            throw CommandError.invalidValue("\(reference.examples.isEmpty ? reference.name : candidate.name) has no examples to compare", at: context.command.range)
        }
        let comparison = DatasetComparison(reference: reference.examples, candidate: candidate.examples,
                                           nearThreshold: a.number("near") ?? 0.8, vocabularySize: a.integer("words") ?? 100)
        context.result(comparison.text(referenceName: reference.name, candidateName: candidate.name,
                                       reference: reference.examples, candidate: candidate.examples))
        if !comparison.leaks.isEmpty {
            context.warn("\(comparison.leaks.count) of \(candidate.name)'s \(comparison.candidateCount) examples also occur in \(reference.name): results measured on them overstate quality; remove them (data dedup on a combined file) or measure on a clean set")
        }
        context.returns("data compare result", [
            ("leaks", .number(Double(comparison.leaks.count))),
            ("exact", .number(Double(comparison.leaks.filter { $0.kind == .exact }.count))),
            ("same_prompt", .number(Double(comparison.leaks.filter { $0.kind == .samePrompt }.count))),
            ("near", .number(Double(comparison.leaks.filter { $0.kind == .near }.count))),
            ("length_psi", .number(comparison.lengths.psi)),
            ("label_psi", comparison.labels.map { .number($0.psi) } ?? .none),
            ("word_psi", .number(comparison.words.psi)),
            ("word_kl", .number(comparison.wordKL)),
            ("shift", .string(comparison.band.rawValue)),
            ("reference", .number(Double(comparison.referenceCount))),
            ("candidate", .number(Double(comparison.candidateCount))),
        ])
    }

    /// Reads a JSONL file without making it the session's data (lenient: a serving log may end in
    /// a cut line), and tells the notebook which file was read.
    private func read(_ path: String, argument: String, _ context: CommandContext) throws -> (url: URL, dataset: Dataset) {
        let url = try context.resolvePath(path, argument: argument)
        let dataset = try DataCommands.read(url, format: nil, mode: .lenient, command: "data compare", context: context,
                                            at: context.range(of: argument))
        if !dataset.skipped.isEmpty {
            context.warn("\(DataCommands.displayPath(url, context)): \(dataset.skipped.count) invalid line\(dataset.skipped.count == 1 ? "" : "s") skipped (first: \(dataset.skipped[0]))")
        }
        if let hash = DataCommands.sha256(url) { context.session.dataFileObserver?(url, hash) }
        return (url, dataset)
    }
}
