import Essentials
import Foundation

/// The report `data compare` prints: leakage with the lines that repeat, each distribution's PSI
/// and band with the bins that moved most, the unusual examples, and a verdict.
extension DatasetComparison {
    /// `reference`/`candidate` are the two sets' examples (for line numbers and excerpts), named
    /// as the user wrote them.
    public func text(referenceName a: String, candidateName b: String, reference: [Example], candidate: [Example]) -> String {
        var lines = ["data compare: \(a) (\(referenceCount) examples) vs \(b) (\(candidateCount) examples)"]
        // Leakage.
        let exact = leaks.filter { $0.kind == .exact }.count, prompts = leaks.filter { $0.kind == .samePrompt }.count
        let near = leaks.filter { $0.kind == .near }.count
        if leaks.isEmpty {
            lines.append("leakage   none: no example or prompt of \(b) occurs in \(a) (near copies from Jaccard \(NumberText.short(nearThreshold)))")
        } else {
            lines.append("leakage   \(leaks.count) of \(candidateCount) (\(NumberText.percent(Double(leaks.count) / Double(max(1, candidateCount))))): "
                         + "\(exact) exact, \(prompts) same prompt, \(near) near (Jaccard ≥ \(NumberText.short(nearThreshold)))")
            for leak in leaks.prefix(5) {
                let similarity = leak.kind == .near ? " (\(NumberText.short((leak.similarity * 100).rounded() / 100)))" : ""
                lines.append("    line \(candidate[leak.candidate].line) of \(b) \(leak.kind.rawValue)\(similarity) as line \(reference[leak.reference].line) of \(a): \(Self.excerpt(candidate[leak.candidate]))")
            }
            if leaks.count > 5 { lines.append("    … \(leaks.count - 5) more") }
        }
        // Shifts.
        lines.append(row("lengths", lengths, unit: "words per example, bins at \(a)'s deciles"))
        if let labels {
            lines.append(row("labels", labels, unit: "\(labels.bins.count) labels"))
        } else {
            lines.append("labels    not compared: \(a) or \(b) has no labels (a category or label field, a label in a JSON output, or short outputs)")
        }
        lines.append(row("words", words, unit: "\(words.bins.count - 1) most frequent words of \(a) + other; KL(B‖A) \(NumberText.significant(wordKL)) nats"))
        if !unusual.isEmpty {
            lines.append("unusual   examples of \(b) with the most words \(a) never uses:")
            for entry in unusual.prefix(3) {
                lines.append("    line \(candidate[entry.index].line): \(NumberText.percent(entry.unseenShare)) unseen · \(Self.excerpt(candidate[entry.index]))")
            }
        }
        lines.append("verdict   " + verdict(a, b))
        return lines.joined(separator: "\n")
    }

    private func row(_ name: String, _ shift: Shift, unit: String) -> String {
        var bins: [(bin: String, a: Double, b: Double)] = []
        for (i, bin) in shift.bins.enumerated() { bins.append((bin, shift.reference[i], shift.candidate[i])) }
        bins.sort { lhs, rhs in
            let l = abs(lhs.b - lhs.a), r = abs(rhs.b - rhs.a)
            return l != r ? l > r : lhs.bin < rhs.bin
        }
        let moved: [String] = bins.prefix(3).filter { abs($0.b - $0.a) >= 0.005 }.map { entry in
            "\(entry.bin) \(NumberText.percent(entry.a)) → \(NumberText.percent(entry.b))"
        }
        let head = name.padding(toLength: 10, withPad: " ", startingAt: 0)
        let psi = "PSI \(NumberText.significant(shift.psi)) (\(shift.band.rawValue); \(unit))"
        return head + psi + (moved.isEmpty ? "" : "; moved most: " + moved.joined(separator: ", "))
    }

    private func verdict(_ a: String, _ b: String) -> String {
        var parts: [String] = []
        if !leaks.isEmpty {
            parts.append("\(b) leaks into \(a): \(leaks.count) example\(leaks.count == 1 ? "" : "s") to remove before evaluating on \(b)")
        }
        switch band {
        case .stable: parts.append("\(b) is distributed like \(a) (every PSI below 0.1)")
        case .moderate: parts.append("\(b) has shifted moderately from \(a) (a PSI between 0.1 and 0.25): check the bins that moved")
        case .major: parts.append("\(b) has shifted from \(a) (a PSI of 0.25 or more): results on \(a)'s distribution may not carry over; refresh the training data with examples like \(b)'s")
        }
        if band != .stable, candidateCount < 200 {
            parts.append("with \(candidateCount) examples in \(b) a PSI near 0.1 can be sampling noise alone (PSI grows as samples shrink)")
        }
        return parts.joined(separator: "; ")
    }

    /// The first 60 characters of an example's prompt, on one line.
    static func excerpt(_ example: Example) -> String {
        let text = promptText(example).split(whereSeparator: \.isNewline).joined(separator: " ")
        return text.count > 60 ? "\"\(text.prefix(59))…\"" : "\"\(text)\""
    }
}
