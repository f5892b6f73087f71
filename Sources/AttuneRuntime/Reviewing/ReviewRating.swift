import Essentials
import Evaluation
import Foundation

/// Taking ratings for an open review, live or on replay, and ending it.
///
/// Live, each pending item is shown on the terminal only (prompt, then the two replies as A and
/// B in the key's order; never recorded) and the rater answers through `Session.ask`: `a`, `b`,
/// `t` (tie), `s` (skip) or `q` (stop), then, for a preference, one line of 1–5 scores per reply
/// (`4 3 5`, one per criterion). Each answer is recorded as a `ReviewRecords` line in blinded
/// terms. On replay the recorded lines are the answers. When no item is left the review ends:
/// the key line is recorded, the sidecar deleted and the result shown.
enum ReviewRating {
    /// True while a notebook replays (answers come from the recording).
    static func replaying(_ context: CommandContext) -> Bool { context.session.recordedOutputs != nil }

    /// Takes ratings until none is pending or the rater stops; ends the review when none is left.
    static func rate(_ review: inout OpenReview, _ context: CommandContext) throws {
        if replaying(context) {
            let entries = ReviewRecords.entries(in: context.session.recordedOutputs ?? [], review: review.id)
            for entry in entries {
                switch entry {
                case .rating(let rating):
                    do { try review.record(rating) } catch {
                        throw CommandError("InvalidRatings", "the notebook's rating of item \(rating.item + 1) does not fit review \(review.id): \(error)")
                    }
                    context.metrics(ReviewRecords.line(for: rating, review: review))
                case .skip(let item) where review.items.indices.contains(item):
                    review.skipped.insert(item)
                    context.metrics(ReviewRecords.skipLine(item: item, review: review))
                default: break
                }
            }
        } else {
            try ask(&review, context)
        }
        if review.pending.isEmpty { try end(&review, context) }
    }

    /// Nobody can answer here (a script, `attune -c`).
    static let noRater = CommandError("NoRater", "review asks a person for ratings and nobody can answer here: run it in the REPL (attune), "
                                      + "or rate on the page `review export DIR` writes and bring the files back with `review import`")

    /// The live questions.
    private static func ask(_ review: inout OpenReview, _ context: CommandContext) throws {
        guard let ask = context.session.ask else { throw noRater }
        guard let assignment = review.assignment else { throw CommandError("NoReviewKey", "the review key is not loaded: run review resume") }
        let pending = review.pending
        let total = review.items.count
        for index in pending {
            let item = review.items[index]
            context.progress("")
            context.progress("── item \(index + 1) of \(total)\(item.category.map { " · \($0)" } ?? "") · \(item.id)  (\(review.pending.count) left)")
            context.progress("PROMPT\n" + item.prompt)
            context.progress("── A ──\n" + item.outputs[assignment.modelIndex(item: index, label: .a)])
            context.progress("── B ──\n" + item.outputs[assignment.modelIndex(item: index, label: .b)])
            var preference: Preference?
            answers: while true {
                guard let answer = ask("which is better? a, b, t (tie), s (skip), q (stop): ")?.trimmingCharacters(in: .whitespaces).lowercased() else { return }
                switch answer {
                case "a": preference = .a
                case "b": preference = .b
                case "t", "tie": preference = .tie
                case "s", "skip": preference = nil
                case "q", "quit", "stop": return
                default:
                    context.progress("  type a or b for the better reply, t for a tie, s to skip this item, q to stop (review resume continues)")
                    continue answers
                }
                break answers
            }
            guard let preference else {
                review.skipped.insert(index)
                context.metrics(ReviewRecords.skipLine(item: index, review: review))
                continue
            }
            var scores: [[Int]] = [[], []]
            if !review.rubric.criteria.isEmpty {
                for (side, label) in ["A", "B"].enumerated() {
                    guard let line = askScores(label, review.rubric, ask: ask, context) else { return }
                    scores[side] = line
                }
            }
            let rating = BlindRating(rater: review.rater, item: index, preference: preference, scoresA: scores[0], scoresB: scores[1])
            try? review.record(rating)
            context.metrics(ReviewRecords.line(for: rating, review: review))
        }
    }

    /// One reply's scores, asked until they parse; nil when the rater stops.
    private static func askScores(_ label: String, _ rubric: Rubric, ask: (String) -> String?, _ context: CommandContext) -> [Int]? {
        let names = rubric.names.joined(separator: ", ")
        while true {
            guard let answer = ask("scores for \(label) — \(names), 1–5 each (e.g. \(rubric.names.map { _ in "4" }.joined(separator: " "))), q to stop: ")?
                .trimmingCharacters(in: .whitespaces).lowercased() else { return nil }
            if ["q", "quit", "stop"].contains(answer) { return nil }
            switch parseScores(answer, rubric: rubric) {
            case .success(let scores): return scores
            case .failure(let message): context.progress("  " + message.text)
            }
        }
    }

    struct ScoreProblem: Error { var text: String }

    /// `4 3 5` (or `4,3,5`, `435` for one-digit scales) → one score per criterion, each on its scale.
    static func parseScores(_ text: String, rubric: Rubric) -> Result<[Int], ScoreProblem> {
        var parts = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
        if parts.count == 1, parts[0].count == rubric.criteria.count, parts[0].count > 1, parts[0].allSatisfy(\.isNumber) {
            parts = parts[0].map { String($0) }
        }
        guard parts.count == rubric.criteria.count else {
            return .failure(ScoreProblem(text: "give \(rubric.criteria.count) score\(rubric.criteria.count == 1 ? "" : "s") (\(rubric.names.joined(separator: ", "))), got \(parts.count)"))
        }
        var scores: [Int] = []
        for (part, criterion) in zip(parts, rubric.criteria) {
            guard let score = Int(part), criterion.scale.contains(score) else {
                return .failure(ScoreProblem(text: "\(criterion.name) must be a whole number \(criterion.scale.lowerBound)–\(criterion.scale.upperBound), got \(part)"))
            }
            scores.append(score)
        }
        return .success(scores)
    }

    /// Makes sure the key is known: the replayed notebook's, the sidecar's, else an error.
    static func loadKey(_ review: inout OpenReview, _ context: CommandContext) throws {
        guard review.keySeed == nil else { return }
        let session = context.session
        if replaying(context), let seed = session.recordedReviewKeys[review.id] {
            review.keySeed = seed
        } else if let notebook = session.notebookURL {
            review.keySeed = try ReviewKeyFile.read(review: review.id, notebook: notebook)
        } else {
            throw CommandError("NoReviewKey", "the key of review \(review.id) is not known here: the review never ended in this notebook, "
                               + "and there is no notebook to find its .review-key.json beside; open the notebook that started it with attune open")
        }
    }

    /// Ends the review: records the key, removes the sidecar and shows the result.
    static func end(_ review: inout OpenReview, _ context: CommandContext) throws {
        try loadKey(&review, context)
        if replaying(context) {
            for case .key(let seed, let aIs) in ReviewRecords.entries(in: context.session.recordedOutputs ?? [], review: review.id) {
                let computed = BlindAssignment(models: review.models, itemCount: review.items.count, seed: seed)
                guard seed == review.keySeed, aIs == review.items.indices.map({ computed.model(item: $0, label: .a) }) else {
                    throw CommandError("InvalidRatings", "the notebook's key of review \(review.id) does not match its seed: the notebook was edited")
                }
            }
        }
        review.ended = true
        if let key = review.keyRecord() { context.metrics(key) }
        if !replaying(context), let notebook = context.session.notebookURL { ReviewKeyFile.remove(notebook: notebook) }
        guard let result = review.comparison() else { return }
        context.result(ReviewReport.text(result, review: review))
        for warning in result.warnings { context.warn(warning) }
        var fields: [(String, ScriptValue)] = [("items", .number(Double(result.itemsRated))), ("raters", .number(Double(result.raters.count)))]
        if let rate = result.winRate, let interval = result.winRateInterval {
            fields += [("win_rate", .number(rate)), ("win_rate_low", .number(interval.lower)), ("win_rate_high", .number(interval.upper))]
        }
        if let kappa = result.preferenceAgreement?.kappa { fields.append(("kappa", .number(kappa))) }
        context.returns("review result", fields)
    }

    /// The one-line state of an open review.
    static func status(_ review: OpenReview, _ context: CommandContext) -> String {
        let mine = review.ratings.filter { $0.rater == review.rater }.count
        var text = "review \(review.id): \(mine) of \(review.items.count) rated, \(review.skipped.count) skipped, \(review.pending.count) left"
            + " — review resume continues, review end finishes with what is rated"
        if context.session.notebookURL == nil, !replaying(context) {
            text += "; the key is kept in memory only (not recording a notebook)"
        } else {
            text += "; the key stays beside the notebook in NAME.review-key.json until the review ends"
        }
        return text
    }
}
