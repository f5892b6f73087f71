import Datasets
import Foundation

/// `eval`'s check that its examples are not training examples: the examples of an evaluated file
/// (or the general probe) that also occur in the data the session trains on — the same example
/// after case and spacing normalisation, the same prompt, or a near copy (MinHash over word
/// 3-shingles, estimated Jaccard ≥ 0.8) — found as `data compare` finds leaks. A score measured
/// on them overstates quality.
enum TrainingOverlap {
    /// The estimated Jaccard similarity from which two examples count as near copies (as `data compare`).
    static let nearThreshold = 0.8
    /// Examples named in the warning.
    static let shown = 3

    /// The leaks of `set` into the session's training examples (its train part after a split, the
    /// whole mixture otherwise), with the training data's name; nil when nothing is loaded or
    /// `set` is a part of the loaded data itself (`on=val` and kin: the split keeps copies apart).
    static func leaks(of set: EvaluationSet, fromSplitPart: Bool, session: Session)
        -> (leaks: [DatasetComparison.Leak], training: [Example], dataset: Dataset, name: String)? {
        guard !fromSplitPart, let dataset = session.dataset else { return nil }
        let indices = session.split?.train ?? Array(dataset.examples.indices)
        let training = indices.map { dataset.examples[$0] }
        guard !training.isEmpty, !set.examples.isEmpty else { return nil }
        let name = ([dataset.fileName] + dataset.mixedPaths.map(Dataset.sourceFileName)).joined(separator: " + ")
            + (session.split != nil ? " (train part)" : "")
        return (DatasetComparison.findLeaks(training, set.examples, nearThreshold: nearThreshold), training, dataset, name)
    }

    /// The warning for `set`, or nil when none of its examples is a training example:
    /// `3 of the 80 examples of heldout.jsonl also occur in the training data (triage.jsonl, train
    /// part): 2 exact, 1 near; first: heldout.jsonl:4 = triage.jsonl:17 (exact), …`.
    static func warning(for set: EvaluationSet, fromSplitPart: Bool, session: Session) -> String? {
        guard let found = leaks(of: set, fromSplitPart: fromSplitPart, session: session), !found.leaks.isEmpty else { return nil }
        let kinds: [DatasetComparison.Leak.Kind] = [.exact, .samePrompt, .near]
        let counts = kinds.compactMap { kind -> String? in
            let n = found.leaks.filter { $0.kind == kind }.count
            return n > 0 ? "\(n) \(kind.rawValue)" : nil
        }
        let first = found.leaks.prefix(shown).map { leak -> String in
            let example = found.training[leak.reference]
            let similarity = leak.kind == .near ? String(format: " %.2f", leak.similarity) : ""
            return "\(set.ids[leak.candidate]) = \(found.dataset.fileName(of: example)):\(example.line) (\(leak.kind.rawValue)\(similarity))"
        }
        return "\(found.leaks.count) of the \(set.count) example\(set.count == 1 ? "" : "s") of \(set.name) also occur in the training data "
            + "loaded in this session (\(found.name)): " + counts.joined(separator: ", ") + "; first: " + first.joined(separator: ", ")
            + (found.leaks.count > shown ? ", …" : "") + ". Results on them overstate quality: evaluate on data the model never trained on"
    }
}
