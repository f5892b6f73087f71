import Essentials
import AttuneLanguage
import Evaluation
import Foundation

/// `compare A B [on=SET] [max=N] [samples=N]`: two evaluations, or the model without and with its
/// adapter, side by side on the same prompts.
///
/// Each side is an evaluation named with `name = eval`, or, when no evaluation has that name,
/// `base` (the current model with its adapter off) or `tuned` (adapter on), answered greedily now.
/// Replies are checked as `eval` checks them (the first stored side's checks, else the set's), the
/// pass rates sit side by side, every example that got worse from A to B is listed (the regression
/// set), and the first examples are shown reply against reply. With a general-probe result on both
/// sides, a forgetting row (see ``ForgettingReport``).
struct CompareCommand: RuntimeCommand {
    let spec = StandardSpec.named("compare")
    let schema = ArgumentSchema([
        .positional("a", .tensorPath, "a named evaluation, or base (the model with its adapter off)"),
        .positional("b", .tensorPath, "another named evaluation, or tuned (the model with its adapter on)"),
        .keyed("on", .path, default: "val[0:5], or the examples both evaluations share", "which examples to compare on (as eval's on=)"),
        .keyed("max", .integer(.closed(1, 4096)), default: "the longest expected reply + 25%", "most new tokens per live reply"),
        .keyed("samples", .integer(.closed(0, 1000)), default: "5", "examples shown reply against reply"),
    ])
    let help = CommandHelp("""
        Compares two models on the same prompts: two evaluations named with `name = eval` (their stored \
        replies), or the current model without and with its adapter (`base` and `tuned` when no evaluation \
        has those names: both answer greedily now, the adapter switched off and on). It prints the pass \
        rates side by side (schema-valid JSON when the expected replies are JSON), loss, perplexity and token \
        accuracy when both are evaluations over their whole sets, how many replies are identical, every \
        example that got worse from the first to the second (the guide's regression check), and the first \
        examples reply against reply. Use it after training (compare base tuned) and after reloading a saved \
        adapter (compare tuned reloaded: identical replies show the adapter round-trips). When both sides \
        have a general-probe result (eval general run on that model, or the sides are probe results \
        themselves), a forgetting row gives the probe's pass rate on each side with its interval, and the \
        probe items that regressed are listed.
        """, examples: ["compare base tuned on=val[0:5]", "compare base tuned", "compare tuned reloaded on=\"data/triage_heldout.jsonl[0:3]\""])

    /// One side: a stored evaluation, or the live model with the adapter off or on.
    enum Side {
        case stored(String, EvaluationResult)
        case live(String, adapterOn: Bool)

        var name: String {
            switch self {
            case .stored(let name, _), .live(let name, _): name
            }
        }
    }

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        guard let first = a.path("a")?.description, let second = a.path("b")?.description else { return }
        let sides = [try side(first, argument: "a", context), try side(second, argument: "b", context)]
        let stored = sides.compactMap { side -> EvaluationResult? in
            if case .stored(_, let result) = side { return result }
            return nil
        }
        // The examples: on= as given; else what both evaluations share; else val[0:5].
        let set: EvaluationSet?
        if let on = a.word("on") {
            set = try EvaluationSet.resolve(on, context: context, argument: "on")
        } else if stored.count == 2 {
            set = nil
        } else {
            set = try EvaluationSet.resolve("val[0:5]", context: context, argument: "on")
        }
        let ids: [String]
        let prompts: [String], expected: [String]
        var setName = set?.name ?? ""
        var sameSets = false
        let groupField = stored.first?.groupField ?? "category"
        var categories = [String?](), tags = [[String]]()
        if let set {
            ids = set.ids
            prompts = set.examples.map { ModelEvaluator.shortPrompt($0) }
            expected = set.examples.map(ModelEvaluator.expected)
            categories = set.values(of: groupField)
            tags = set.tags
        } else {
            let shared = stored[0].ids.indices.filter { stored[0].replies[stored[0].ids[$0]] != nil && stored[1].replies[stored[0].ids[$0]] != nil }
            guard !shared.isEmpty else {
                throw CommandError("NoCommonExamples", "\(first) (\(stored[0].setName)) and \(second) (\(stored[1].setName)) share no answered example: "
                                   + "give on= with examples both answered, or evaluate both on the same set")
            }
            ids = shared.map { stored[0].ids[$0] }
            sameSets = stored[0].ids == stored[1].ids
            setName = ids == stored[0].ids ? stored[0].setName : ids == stored[1].ids ? stored[1].setName
                : "the \(ids.count) examples both answered"
            prompts = shared.map { stored[0].prompts[$0] }
            expected = shared.map { stored[0].expected[$0] }
            categories = shared.map { stored[0].categories.indices.contains($0) ? stored[0].categories[$0] : nil }
            tags = shared.map { stored[0].tags.indices.contains($0) ? stored[0].tags[$0] : [] }
        }
        let checks: ReplyChecks
        if let withChecks = stored.first(where: { !$0.checks.isEmpty }) {
            checks = withChecks.checks
        } else if set != nil {
            checks = ReplyChecks.choose(mode: "auto", targets: expected, schema: nil, schemaName: nil) ?? .none
        } else {
            checks = .none
        }
        // Replies per side.
        var replies = [[String]]()
        var labels = [String]()
        for (index, side) in sides.enumerated() {
            switch side {
            case .stored(let name, let result):
                var list = [String]()
                for id in ids {
                    guard let reply = result.replies[id] else {
                        throw CommandError("NoReply", "\(name) has no reply for \(id): it was evaluated on \(result.setName)"
                                           + (result.checks.isEmpty ? " and only its samples were answered" : "")
                                           + "; compare on examples it answered, or run \(name) = eval on= this set",
                                           at: context.range(of: index == 0 ? "a" : "b"))
                    }
                    list.append(result.cut.contains(id) ? reply + " [stopped: cannot begin JSON]" : reply)
                }
                replies.append(list)
                labels.append("\(result.modelLabel) · eval on \(result.setName)")
            case .live(_, let adapterOn):
                guard let set else { preconditionFailure("a live side always has a set") }
                let runner = try EvaluationRunner(context)
                let maxTokens = a.integer("max") ?? stored.first?.maxTokens ?? runner.defaultMaxTokens(set)
                let result = try runner.evaluate(set, adapterOn: adapterOn, checks: .none, maxTokens: maxTokens, samples: set.count,
                                                 measureLoss: false)
                replies.append(ids.map { result.replies[$0] ?? "" })
                labels.append(result.modelLabel + " · greedy, up to \(maxTokens) tokens")
            }
        }
        // The forgetting row: a general-probe result for each side (the side itself, or the latest
        // `eval general` of the model state it was measured on).
        let probes = sides.map { side -> EvaluationResult? in
            switch side {
            case .stored(_, let result):
                return ForgettingReport.probe(stored: result, modelState: result.modelState, session: context.session)
            case .live(_, let adapterOn):
                guard let runner = try? EvaluationRunner(context) else { return nil }
                return ForgettingReport.probe(stored: nil, modelState: runner.probeKey(adapterOn: adapterOn), session: context.session)
            }
        }
        let forgetting = probes[0].flatMap { first in probes[1].map { ForgettingReport(before: first, after: $0) } }
        context.result(report(sides: sides, labels: labels, setName: setName, ids: ids, prompts: prompts,
                              expected: expected, replies: replies, checks: checks, wholeSets: sameSets,
                              samples: a.integer("samples") ?? 5, categories: categories, tags: tags, groupField: groupField,
                              forgetting: forgetting))
    }

    /// Resolves a side's name: an evaluation, else `base`/`tuned`, else an error with the names there are.
    func side(_ name: String, argument: String, _ context: CommandContext) throws -> Side {
        let session = context.session
        if case .record(let record)? = context.variable(name), let result = record.origin?.evaluation { return .stored(name, result) }
        if let result = session.evaluations[name] { return .stored(name, result) }
        switch name {
        case "base": return .live(name, adapterOn: false)
        case "tuned":
            guard session.adapter != nil else {
                throw CommandError("NoAdapter", "tuned means the model with its adapter, and there is none: train one (method lora, train) "
                                   + "or load one (adapter load \"PATH\"), or name an evaluation (tuned = eval)", at: context.range(of: argument))
            }
            return .live(name, adapterOn: true)
        default:
            let names = session.evaluations.keys.sorted()
            let guess = suggest(name, from: names + ["base", "tuned"])
            let known = names.isEmpty ? "no evaluation is named yet (name one with \(name) = eval)" : "named evaluations: " + names.joined(separator: ", ")
            throw CommandError.notFound("no evaluation named '\(name)'\(guess.map { " — did you mean '\($0)'?" } ?? ""); \(known); "
                                        + "base and tuned mean the model without and with its adapter", at: context.range(of: argument), suggestion: guess)
        }
    }

    /// The side-by-side text.
    func report(sides: [Side], labels: [String], setName: String, ids: [String], prompts: [String], expected: [String],
                replies: [[String]], checks: ReplyChecks, wholeSets: Bool, samples: Int,
                categories: [String?] = [], tags: [[String]] = [], groupField: String = "category",
                forgetting: ForgettingReport? = nil) -> String {
        let names = sides.map(\.name)
        let counted = setName.hasSuffix(" examples)") || setName.hasSuffix(" example)") || setName.hasSuffix(" answered")
        var lines = ["compare \(names[0]) vs \(names[1]) on \(setName)" + (counted ? "" : " (\(ids.count) example\(ids.count == 1 ? "" : "s"))")]
        let width = max(names.map(\.count).max() ?? 0, 4)
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        for (name, label) in zip(names, labels) { lines.append("  \(pad(name, width))  \(label)") }
        // Metric rows.
        var rows = [(String, String, String)]()
        if wholeSets {
            let results = sides.compactMap { side -> EvaluationResult? in
                if case .stored(_, let r) = side { return r }
                return nil
            }
            if let m0 = results[0].metrics, let m1 = results[1].metrics, m0.tokens > 0, m1.tokens > 0 {
                rows.append(("loss", String(format: "%.4f", m0.loss), String(format: "%.4f", m1.loss)))
                rows.append(("perplexity", String(format: "%.2f", m0.perplexity), String(format: "%.2f", m1.perplexity)))
                rows.append(("token accuracy", EvaluationText.percent(m0.accuracy), EvaluationText.percent(m1.accuracy)))
            }
        }
        var results = [[ExampleResult]]()
        if !checks.isEmpty {
            for list in replies {
                results.append(ids.indices.map { i in
                    EvalCase(id: ids[i], prompt: prompts[i], checks: checks.checks(id: ids[i], expected: expected[i]),
                             tags: tags.indices.contains(i) ? tags[i] : [], category: categories.indices.contains(i) ? categories[i] : nil)
                        .evaluate(reply: list[i])
                })
            }
            func jsonPassed(_ list: [ExampleResult]) -> Int {
                list.filter { $0.outcomes.filter { $0.check == "json" || $0.check == "schema" }.allSatisfy(\.passed) }.count
            }
            if checks.checksJSON {
                let what = checks.schema != nil ? "schema-valid JSON" : "valid JSON"
                let passed = results.map(jsonPassed)
                rows.append((what, EvaluationText.rate(passed[0], ids.count), EvaluationText.rate(passed[1], ids.count)))
                let matches = replies.map { checks.fieldMatches(replies: $0, targets: expected) }
                for (first, second) in zip(matches[0], matches[1]) {
                    rows.append(("\(first.key) as expected", EvaluationText.rate(first.matches, ids.count), EvaluationText.rate(second.matches, ids.count)))
                }
            }
            let counts = results.map { EvalReport(results: $0).byCheck.filter { $0.name != "json" && $0.name != "schema" } }
            for (x, y) in zip(counts[0], counts[1]) {
                let label = ["label": "label accuracy", "exact": "exact match", "contains": "contains expected", "regex": "matches the pattern"][x.name] ?? x.name
                rows.append((label, EvaluationText.rate(x.passed, x.total), EvaluationText.rate(y.passed, y.total)))
                if x.name == "label" {
                    let f1 = replies.map { list in
                        ClassificationMetrics(expected: expected.map { ReplyLabel.expected($0, field: checks.labelField) ?? "" },
                                              predicted: list.map { ReplyLabel.read($0, field: checks.labelField) }).macroF1
                    }
                    rows.append(("macro-F1", String(format: "%.3f", f1[0]), String(format: "%.3f", f1[1])))
                }
            }
            if (checks.checksJSON ? 1 : 0) + counts[0].count > 1 {
                rows.append(("every check", EvaluationText.rate(results[0].filter(\.passed).count, ids.count),
                             EvaluationText.rate(results[1].filter(\.passed).count, ids.count)))
            }
            let groups = results.map { GroupRates.byCategory($0) }
            for (x, y) in zip(groups[0], groups[1]) {
                rows.append(("\(groupField) \(x.name)", EvaluationText.rate(x.all.passed, x.all.total), EvaluationText.rate(y.all.passed, y.all.total)))
            }
            let tagGroups = results.map { GroupRates.byTag($0) }
            for (x, y) in zip(tagGroups[0], tagGroups[1]) {
                rows.append(("tag \(x.name)", EvaluationText.rate(x.all.passed, x.all.total), EvaluationText.rate(y.all.passed, y.all.total)))
            }
        }
        if let forgetting { rows.append(forgetting.row) }
        if !rows.isEmpty {
            let labelWidth = rows.map(\.0.count).max()! + 2
            let columnWidth = max(rows.map(\.1.count).max()!, names[0].count) + 3
            lines.append(pad("", labelWidth + 2) + pad(names[0], columnWidth) + names[1])
            for (label, x, y) in rows { lines.append("  " + pad(label, labelWidth) + pad(x, columnWidth) + y) }
        }
        let identical = zip(replies[0], replies[1]).filter { $0 == $1 }.count
        lines.append("identical replies: \(identical)/\(ids.count)")
        if results.count == 2 {
            let regression = RegressionReport(base: results[0], tuned: results[1])
            var text = "\(names[1]) vs \(names[0]): \(regression.worsened.count) worse, \(regression.improved.count) better, \(regression.unchanged) unchanged"
            if regression.worsened.isEmpty { text += " (nothing regressed)" }
            lines.append(text)
            let categoryOf = Dictionary(results[1].map { ($0.id, $0.category) }, uniquingKeysWith: { a, _ in a })
            let worseByCategory = GroupRates.group(results[1].filter { r in regression.worsened.contains { $0.id == r.id } }) {
                $0.category.map { [$0] } ?? []
            }.sorted { $0.name < $1.name }
            if !worseByCategory.isEmpty {
                lines.append("  worse by \(groupField): " + worseByCategory.map { "\($0.name) \($0.count)" }.joined(separator: ", "))
            }
            for change in regression.worsened.prefix(10) {
                let category = (categoryOf[change.id] ?? nil).map { " [\($0)]" } ?? ""
                lines.append("  worse \(change.id)\(category): \(change.basePassed)/\(change.checks) → \(change.tunedPassed)/\(change.checks) checks"
                             + (change.tunedDetails.isEmpty ? "" : " (" + EvaluationText.clip(change.tunedDetails.joined(separator: "; "), 90) + ")"))
            }
            if regression.worsened.count > 10 { lines.append("  … and \(regression.worsened.count - 10) more") }
        }
        if let forgetting { lines += forgetting.lines(names: names) }
        let shown = min(samples, ids.count)
        for i in 0..<shown {
            lines.append("\(ids[i])  \(prompts[i])")
            for (side, name) in names.enumerated() {
                var line = "  \(pad(name, width))  \(EvaluationText.clip(replies[side][i], 110))"
                if results.count == 2 { line += results[side][i].passed ? "  ✓" : "  ✗" }
                lines.append(line)
            }
        }
        if ids.count > shown, shown > 0 { lines.append("(\(ids.count - shown) more not shown; samples=N shows more)") }
        return lines.joined(separator: "\n")
    }
}
