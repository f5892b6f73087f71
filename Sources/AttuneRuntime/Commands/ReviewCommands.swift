import AttuneLanguage
import Essentials
import Evaluation
import Foundation

/// `review A B`, `review resume`, `review end`, `review export DIR`, `review import FILES…`: blind
/// human evaluation of two models' replies (see `OpenReview`, `ReviewRating`).
enum ReviewCommands {
    static let all: [any RuntimeCommand] = [ReviewCommand(), ReviewResumeCommand(), ReviewEndCommand(), ReviewExportCommand(), ReviewImportCommand()]

    /// The session's review, or an error saying how to start one.
    static func current(_ context: CommandContext) throws -> OpenReview {
        guard let review = context.session.review else {
            throw CommandError("NoReview", "there is no review in this session: start one with review base tuned (or two named evaluations)")
        }
        return review
    }

    /// The guide's sample sizes and what they buy: the 95% Wilson interval's half-width at a 50%
    /// win rate (the widest) for n = 25, 50, 100, 200, 400.
    static var sampleSizeTable: String {
        [25, 50, 100, 200, 400].map { n in
            let interval = WilsonInterval(proportion: 0.5, trials: n)!
            return "n=\(n) ±\(String(format: "%.1f", (interval.upper - interval.lower) * 50)) points"
        }.joined(separator: ", ")
    }
}

/// `review A B [n=100] [by=category] [rubric=[…]] [on=SET] [rater=NAME]`.
struct ReviewCommand: RuntimeCommand {
    let spec = CommandSpec(["review"], usage: "review A B [n=100] [by=category] [rubric=[accuracy, tone, completeness]]",
                           summary: "Blind side-by-side human review of two models' replies: preference and a 1–5 rubric, win rate with its interval.")
    let schema = ArgumentSchema([
        .positional("a", .tensorPath, "the baseline: a named evaluation, or base (the model with its adapter off)"),
        .positional("b", .tensorPath, "the challenger whose win rate is reported: a named evaluation, or tuned (adapter on)"),
        .keyed("n", .integer(.closed(1, 100_000)), default: "100", "how many items to rate (every shared example when fewer exist)"),
        .keyed("by", .field, default: "category", "the record field the sample is stratified by; a dotted path reaches inside, e.g. output.category for the category of a JSON answer"),
        .keyed("rubric", .names, default: "[accuracy, tone, completeness]", "the criteria scored 1–5 per reply; [] for preferences only"),
        .keyed("on", .path, default: "both evaluations' shared examples, else val",
               "the examples to review (as eval's on=): base/tuned answer them now; with two evaluations it gives the raters whole prompts"),
        .keyed("rater", .text, default: "you", "the name your ratings are recorded under"),
    ])
    let help = CommandHelp("""
        The guide's human evaluation: blind side-by-side comparison. A sample of n examples stratified by category (each \
        category in proportion to its size, at least one each; seeded, so a replay draws the same) is shown one at a time: \
        the prompt and the two replies as A and B in a random order nobody sees (the key). Answer a or b for the better \
        reply, t for a tie, s to skip, q to stop; then score each reply 1–5 on the rubric (accuracy, tone, completeness: \
        type 4 3 5). review resume continues later, review end finishes early. While the review is open its key is only in \
        NAME.review-key.json beside the notebook; the notebook records ratings as a and b. When it ends the key goes into \
        the notebook and the result is shown: the win rate of B (tuned) over A (base), ties counting half, with a 95% \
        Wilson interval, per category, and rubric means with intervals. Rate at least 100 items: at a 50% win rate the \
        interval is \(ReviewCommands.sampleSizeTable). For several raters: review export DIR writes a page each rater \
        opens in a browser, review import reads their saved files and adds Cohen's kappa (two raters) or Fleiss' kappa \
        (more) on the preferences and on each criterion, read with the Landis & Koch bands; below 0.2 (slight) the \
        raters read the rubric differently: brief them or sharpen the rubric before trusting the win rate.
        """, examples: ["review base tuned n=100 by=category", "review before after n=50 rubric=[accuracy, tone]",
                        "review base tuned rubric=[] rater=ann"])

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        guard let first = a.path("a")?.description, let second = a.path("b")?.description else { return }
        let session = context.session
        if let open = session.review, !open.ended {
            throw CommandError("ReviewOpen", "review \(open.id) is still open (\(open.pending.count) of \(open.items.count) items left): "
                               + "review resume continues it, review end finishes it first")
        }
        guard first != second else {
            throw CommandError.invalidValue("review compares two different sides, both are \(first): e.g. review base tuned", at: context.range(of: "b"))
        }
        let count = a.integer("n") ?? 100
        let field = a.word("by") ?? "category"
        let rubric = a.words("rubric").map { Rubric(names: $0) } ?? .standard
        if Set(rubric.names).count != rubric.names.count {
            throw CommandError.invalidValue("rubric names a criterion twice: give each once", at: context.range(of: "rubric"))
        }
        let rater = a.word("rater") ?? "you"
        if !ReviewRating.replaying(context), session.ask == nil { throw ReviewRating.noRater }
        let gathered = try ReviewItems.gather(first, second, on: a.word("on"), by: field, context: context)
        let seed = SplitMix64.scramble(session.seed ^ FNV1a.hash("review"))
        let chosen = StratifiedSample.draw(categories: gathered.items.map(\.category), count: count, seed: seed)
        var review = OpenReview(models: [first, second], labels: gathered.labels, setName: gathered.setName,
                                items: chosen.map { gathered.items[$0] }, rubric: rubric, keySeed: nil, rater: rater)
        review.keySeed = ReviewRating.replaying(context) ? session.recordedReviewKeys[review.id] : session.drawReviewKey()
        if !ReviewRating.replaying(context), let notebook = session.notebookURL { try ReviewKeyFile.write(review, notebook: notebook) }

        var header = ["review \(review.id): \(second) vs \(first) on \(gathered.setName), \(review.items.count) items, "
                      + "each shown as A and B in a hidden random order"]
        let counts = Dictionary(grouping: review.items) { $0.category ?? StratifiedSample.uncategorized }.mapValues(\.count)
        if counts.count > 1 || review.items.contains(where: { $0.category != nil }) {
            header.append("  stratified by \(field): " + counts.keys.sorted().map { "\($0) \(counts[$0]!)" }.joined(separator: ", "))
        }
        header.append("  rubric: " + (rubric.criteria.isEmpty ? "none (preferences only)" : rubric.names.joined(separator: ", ") + ", 1–5 each"))
        if review.items.count < BlindComparison.minimumItems {
            context.warn(gathered.items.count < count
                         ? "only \(gathered.items.count) examples to review: the guide asks for at least \(BlindComparison.minimumItems) before trusting a win rate"
                         : "n=\(count) is below the guide's \(BlindComparison.minimumItems): the win rate's interval will be wide (\(ReviewCommands.sampleSizeTable))")
        }
        session.review = review
        defer { session.review = review }
        try ReviewRating.rate(&review, context)
        if !review.ended { context.result((header + [ReviewRating.status(review, context)]).joined(separator: "\n")) }
        else { context.result(header.joined(separator: "\n") + "\n" + (context.output.result ?? "")) }
    }
}

/// `review resume`: continue rating the open review.
struct ReviewResumeCommand: RuntimeCommand {
    let spec = CommandSpec(["review", "resume"], usage: "review resume", summary: "Continue rating the open blind review where you stopped.")
    let schema = ArgumentSchema.none
    let help = CommandHelp("""
        Continues the open review (see help review) with the first item you have neither rated nor skipped; the key is \
        read back from NAME.review-key.json when the session was reopened with attune open. When the last item is rated \
        the review ends and shows its result.
        """, examples: ["review resume"])

    func run(_ context: CommandContext) throws {
        var review = try ReviewCommands.current(context)
        guard !review.ended else {
            throw CommandError("ReviewEnded", "review \(review.id) has ended: start another with review A B, or add raters with review import")
        }
        if !ReviewRating.replaying(context) { try ReviewRating.loadKey(&review, context) }
        defer { context.session.review = review }
        try ReviewRating.rate(&review, context)
        if !review.ended { context.result(ReviewRating.status(review, context)) }
    }
}

/// `review end`: finish the open review with the items rated so far.
struct ReviewEndCommand: RuntimeCommand {
    let spec = CommandSpec(["review", "end"], usage: "review end", summary: "Finish the open blind review now: reveal the key and show the result.")
    let schema = ArgumentSchema.none
    let help = CommandHelp("""
        Ends the open review with the items rated so far: the key (which model was A on each item) is written into the \
        notebook, NAME.review-key.json is deleted, and the win rate, rubric means and agreement are shown. Unrated items \
        are left out; below 100 rated items the result says the interval is wide.
        """, examples: ["review end"])

    func run(_ context: CommandContext) throws {
        var review = try ReviewCommands.current(context)
        guard !review.ended else { throw CommandError("ReviewEnded", "review \(review.id) has already ended: its result is above") }
        try ReviewRating.end(&review, context)
        context.session.review = review
    }
}

/// `review export DIR`: the review as a page for other raters.
struct ReviewExportCommand: RuntimeCommand {
    let spec = CommandSpec(["review", "export"], usage: "review export DIR", summary: "Write the review as a self-contained HTML page for other raters, and the items as JSONL.")
    let schema = ArgumentSchema([.positional("dir", .path, "the folder to write review.html and items.jsonl into")])
    let help = CommandHelp("""
        Writes DIR/review.html, one self-contained page (no server; it opens from file://), and DIR/items.jsonl (one item \
        a line: prompt and replies A and B, as blinded as in the REPL). A rater opens the page, types a name, picks A, B \
        or tie and scores each reply 1–5, then presses Save: the browser downloads ratings-NAME.json. Bring the files \
        back with review import. The page holds no key, only the blinded order.
        """, examples: ["review export \"review-page\""])

    func run(_ context: CommandContext) throws {
        var review = try ReviewCommands.current(context)
        guard let path = context.arguments.word("dir") else { return }
        let folder = try context.resolvePath(path, argument: "dir")
        try ReviewRating.loadKey(&review, context)
        guard let assignment = review.assignment else { return }
        let lines = ReviewRatingFile.itemLines(review, assignment: assignment)
        let page = ReviewPage.html(review: review, items: lines)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try AtomicFile.replace(folder.appendingPathComponent("review.html").path, with: Data(page.utf8))
            try AtomicFile.replace(folder.appendingPathComponent("items.jsonl").path,
                                   with: Data((lines.map { $0.text() }.joined(separator: "\n") + "\n").utf8))
        } catch {
            throw CommandError("CannotWrite", "cannot write the review page into \(path): \(error)", at: context.range(of: "dir"))
        }
        if review.keySeed != context.session.review?.keySeed { context.session.review = review }
        context.result("wrote \(path)/review.html and \(path)/items.jsonl: \(review.items.count) items of review \(review.id), "
                       + "rubric \(review.rubric.criteria.isEmpty ? "none" : review.rubric.names.joined(separator: ", ")); "
                       + "raters save ratings-NAME.json from the page, then review import FILES")
    }
}

/// `review import FILES…`: other raters' ratings, combined.
struct ReviewImportCommand: RuntimeCommand {
    let spec = CommandSpec(["review", "import"], usage: "review import FILE…", summary: "Add raters' saved ratings to the review: win rate, rubric means, Cohen's or Fleiss' kappa.")
    let schema = ArgumentSchema([], rest: .positional("file", .path, required: true, "a ratings file saved from the review page"))
    let help = CommandHelp("""
        Reads the ratings files raters saved from the page review export wrote, adds them to the review (yours from the \
        REPL too, if any) and ends it: the key is written into the notebook and the result shown, now with agreement on \
        preferences and on each criterion — Cohen's kappa for two raters, Fleiss' kappa for three or more, read with the \
        Landis & Koch bands (below 0: worse than chance, to 0.2 slight, 0.4 fair, 0.6 moderate, 0.8 substantial, above: \
        almost perfect). Importing the same rater again replaces that rater's ratings. Each rating the page saves carries \
        a digest of the two replies shown; a rating whose replies have changed since (a re-run that generated other text) \
        is counted and named in a warning, so the item can be rated again.
        """, examples: ["review import \"ann.json\" \"bo.json\""])

    func run(_ context: CommandContext) throws {
        var review = try ReviewCommands.current(context)
        let paths = context.arguments.rest.compactMap { value -> String? in if case .word(let w) = value { w } else { nil } }
        guard !paths.isEmpty else {
            throw CommandError.missingArgument("review import needs the ratings files: review import \"ann.json\" \"bo.json\"", at: context.command.range)
        }
        var imported: [(rater: String, ratings: [BlindRating], changed: [Int])] = []
        for (index, path) in paths.enumerated() {
            let range = context.arguments.restRanges[index]
            let url: URL
            do { url = try context.session.paths.resolve(path) } catch { throw error.located(default: range) }
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw CommandError.notFound("cannot read \(path): no such file (give the ratings file a rater saved from the review page)", at: range)
            }
            var file: (rater: String, ratings: [BlindRating], changed: [Int])
            do { file = try ReviewRatingFile.read(data, name: path, review: review) } catch let error as CommandError { throw error.located(default: range) }
            if !file.changed.isEmpty {
                let items = file.changed.map(String.init).joined(separator: ", ")
                context.warn("\(path): \(file.rater) rated item\(file.changed.count == 1 ? "" : "s") \(items) on replies that have changed since "
                             + "(the model or its generation changed); those ratings are counted as given — review export the page again "
                             + "and have \(file.changed.count == 1 ? "that item" : "them") rated again to be sure")
            }
            if file.rater == review.rater, review.ratings.contains(where: { $0.rater == review.rater }) {
                throw CommandError.invalidValue("\(path): rater \(file.rater) is the name your REPL ratings use: rename the rater in the file", at: range)
            }
            if imported.contains(where: { $0.rater == file.rater }) {
                throw CommandError.invalidValue("\(path): rater \(file.rater) is imported twice: give each rater's file once", at: range)
            }
            file.ratings.sort { $0.item < $1.item }
            imported.append(file)
        }
        for file in imported {
            review.ratings.removeAll { $0.rater == file.rater }
            for rating in file.ratings { try? review.record(rating) }
        }
        let summary = "imported " + imported.map { "\($0.rater) (\($0.ratings.count) rating\($0.ratings.count == 1 ? "" : "s"))" }.joined(separator: ", ")
        defer { context.session.review = review }
        if review.ended {
            try ReviewRating.loadKey(&review, context)
            if let result = review.comparison() {
                context.result(ReviewReport.text(result, review: review))
                for warning in result.warnings { context.warn(warning) }
            }
        } else {
            try ReviewRating.end(&review, context)
        }
        context.result(summary + "\n" + (context.output.result ?? ""))
    }
}
