import AttuneLanguage
import Essentials
import Evaluation
import Foundation

/// `eval [on=SET] [check=…] [schema=PATH] [regex="…"] [label=KEY] [by=FIELD] [max=N] [samples=N] [loss=true|false]`:
/// held-out loss, perplexity and token accuracy, greedy sample replies, and the checks of every
/// reply (see ``ReplyChecks``): label accuracy with per-class precision/recall/F1, macro-F1 and the
/// confusion matrix; exact, contains and pattern rates; strictly valid JSON matching the schema
/// with field accuracy; each rate with its 95% Wilson interval, overall, per category and per tag.
/// `base = eval` keeps the result for `compare base tuned`.
struct EvalCommand: RuntimeCommand {
    let spec = StandardSpec.named("eval")
    let schema = ArgumentSchema([
        .keyed("on", .path, default: "val", "the examples: val, train, test, all, a slice such as val[0:10], or a JSONL file \"data/heldout.jsonl\" (sliced as \"data/heldout.jsonl[0:20]\")"),
        .keyed("check", .names, default: "auto", "which replies pass, one or several (check=[json, label]): label, exact, contains, regex, json, schema; item: each record's own check and pattern fields; auto uses the records' own checks when every record has one, else checks JSON against the schema when the expected outputs are JSON; none"),
        .keyed("schema", .path, default: "inferred", "a JSON Schema file the replies must match (type, required, properties, enum, items, additionalProperties)"),
        .keyed("regex", .text, default: "none", "the pattern check=regex looks for in each reply (NSRegularExpression; ^…$ for the whole reply)"),
        .keyed("label", .text, default: "the first line, or category/label of JSON answers", "the key of JSON answers that holds the class, for check=label (label=category)"),
        .keyed("by", .field, default: "category", "the record field whose values group the results (rates per value); a dotted path reaches inside, e.g. output.category for the category of a JSON answer"),
        .keyed("max", .integer(.closed(1, 4096)), default: "the longest expected reply + 25%", "most new tokens per reply"),
        .keyed("samples", .integer(.closed(0, 1000)), default: "3", "replies shown in full"),
        .keyed("loss", .bool, default: "true", "measure loss, perplexity and token accuracy (teacher-forced)"),
    ])
    let help = CommandHelp("""
        Evaluates the current model (with its adapter, when one is trained or loaded) on held-out examples: \
        by default the validation split; on= names another part, a slice, or a JSONL file loaded for this \
        command only. It reports the loss, perplexity and token accuracy on the expected replies (as training \
        computes them, teacher-forced) and a few greedy sample replies beside the expected ones. With checks, \
        every example is answered greedily and its reply checked against the expected answer (the completion, \
        output or last assistant message, trimmed): check=label compares the label the reply names (its first \
        line, or a JSON key with label=KEY) and prints accuracy, per-class precision/recall/F1, macro-F1 and a \
        confusion matrix (also kept as a chart in a notebook); exact and contains compare the whole answer; \
        regex=\"…\" looks for a pattern; check=item uses each record's own check \
        (its "check" field: exact, contains or regex with a "pattern" field), as the general probe's items carry \
        them (eval general runs that probe); json wants the reply to be exactly one JSON value, schema also matches \
        it against the schema — given with schema=, or inferred from the expected replies — and counts how \
        often closed-set keys equal the expected value (field accuracy). When every expected reply is a JSON \
        object, check=auto (the default) means schema. Every rate comes with its 95% Wilson interval, also per \
        category (the records' category field, or by=FIELD) and per entry of their tags list. Greedy decoding \
        makes the report reproducible. When the evaluated file shares examples with the training data loaded \
        in the session (the same example, the same prompt, or a near copy, found as data compare finds them), \
        a warning gives their count and the first ones. Name the result to compare later: base = eval, then after training \
        tuned = eval and compare base tuned. Fields: accuracy, macro_f1, per_class, json_rate, field_rates, \
        check_rates, by_category, by_tag, passed, count, loss, perplexity, token_accuracy.
        """, examples: ["eval", "base = eval on=\"data/triage_heldout.jsonl\" schema=\"data/triage.schema.json\"",
                        "eval on=\"data/sentiment.jsonl\" check=label", "eval check=[json, label] label=category",
                        "eval check=regex regex=\"^(positive|negative)$\"", "eval on=val[0:10] samples=5 max=48",
                        "eval on=all check=none loss=true"])

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        let runner = try EvaluationRunner(context)
        let set = try EvaluationSet.resolve(a.word("on") ?? "val", context: context, argument: "on")
        let checks = try Self.checks(for: set, context: context)
        let maxTokens = a.integer("max") ?? runner.defaultMaxTokens(set)
        let result = try runner.evaluate(set, adapterOn: true, checks: checks, maxTokens: maxTokens,
                                         samples: a.integer("samples") ?? 3, measureLoss: a.bool("loss") ?? true,
                                         groupBy: a.word("by") ?? "category")
        if let name = context.binding { context.session.evaluations[name.text] = result }
        context.result(result.text)
        if let overlap = TrainingOverlap.warning(for: set, fromSplitPart: set.isSplitPart, session: context.session) {
            context.warn(overlap)
        }
        if let metrics = result.classification {
            context.plot(ConfusionChart.chart(metrics, title: "confusion matrix: \(result.setName)"))
        }
        context.evaluation = result
        context.value = Self.value(of: result)
        try Self.addNovelty(set, context: context)
    }

    /// A rate with its counts and 95% Wilson interval: `rate`, `passed`, `count`, `lower`, `upper`.
    static func rateRecord(_ passed: Int, _ total: Int) -> ScriptValue {
        let interval = WilsonInterval(successes: Double(passed), trials: total)
        return .record(ScriptRecord(fields: [
            ("rate", total > 0 ? .number(Double(passed) / Double(total)) : .none),
            ("passed", .number(Double(passed))), ("count", .number(Double(total))),
            ("lower", interval.map { .number($0.lower) } ?? .none), ("upper", interval.map { .number($0.upper) } ?? .none),
        ]))
    }

    /// `e.accuracy` (label accuracy), `e.macro_f1`, `e.per_class.LABEL.{precision, recall, f1, support}`,
    /// `e.confusion.EXPECTED.PREDICTED`, `e.json_rate`, `e.field_rates.KEY` (how often a closed-set
    /// field equals the expected value), `e.check_rates.CHECK`, `e.by_category.NAME` and
    /// `e.by_tag.TAG` (records: rate, passed, count, lower, upper), `e.passed`, `e.count`,
    /// `e.loss`, `e.perplexity`, `e.token_accuracy`, `e.set`.
    static func value(of result: EvaluationResult) -> ScriptRecord {
        let metrics = result.metrics.flatMap { $0.tokens > 0 ? $0 : nil }
        let checked = result.checkedCount
        var rates = ScriptRecord()
        if checked > 0 {
            let replies = result.ids.map { result.replies[$0] ?? "" }
            for match in result.checks.fieldMatches(replies: replies, targets: result.expected) {
                rates.set(match.key, .number(Double(match.matches) / Double(checked)))
            }
        }
        let classification = result.classification
        var perClass = ScriptRecord(), confusion = ScriptRecord()
        if let classification {
            for (row, score) in classification.perClass.enumerated() {
                perClass.set(score.label, .record(ScriptRecord(fields: [
                    ("precision", .number(score.precision)), ("recall", .number(score.recall)), ("f1", .number(score.f1)),
                    ("support", .number(Double(score.support))),
                ])))
                var counts = ScriptRecord()
                for (column, name) in classification.columns.enumerated() {
                    counts.set(name, .number(Double(classification.matrix[row][column])))
                }
                confusion.set(score.label, .record(counts))
            }
        }
        var checkRates = ScriptRecord(), byCategory = ScriptRecord(), byTag = ScriptRecord()
        if let report = result.report {
            for count in report.byCheck { checkRates.set(count.name, .number(count.rate)) }
            for group in report.byCategory { byCategory.set(group.name, rateRecord(group.all.passed, group.all.total)) }
            for group in GroupRates.byTag(report.results) { byTag.set(group.name, rateRecord(group.all.passed, group.all.total)) }
        }
        return ScriptRecord(kind: "eval result", fields: [
            ("loss", metrics.map { .number($0.loss) } ?? .none),
            ("perplexity", metrics.map { .number($0.perplexity) } ?? .none),
            ("token_accuracy", metrics.map { .number($0.accuracy) } ?? .none),
            ("accuracy", classification.map { .number($0.accuracy) } ?? .none),
            ("macro_f1", classification.map { .number($0.macroF1) } ?? .none),
            ("per_class", .record(perClass)),
            ("confusion", .record(confusion)),
            ("json_rate", checked > 0 && result.checks.checksJSON ? .number(Double(result.jsonPassed) / Double(checked)) : .none),
            ("passed", .number(Double(result.passed))),
            ("count", .number(Double(checked > 0 ? checked : result.ids.count))),
            ("field_rates", .record(rates)),
            ("check_rates", .record(checkRates)),
            ("by_category", .record(byCategory)),
            ("by_tag", .record(byTag)),
            ("set", .string(result.setName)),
        ])
    }

    /// Each record's own check (its `check` and `pattern` fields; nil for a record with neither),
    /// for `check=item`.
    static func itemChecks(of set: EvaluationSet) -> [ReplyChecks.ItemCheck?] {
        let names = set.values(of: "check"), patterns = set.values(of: "pattern")
        return zip(names, patterns).map { name, pattern in
            name == nil && pattern == nil ? nil : ReplyChecks.ItemCheck(check: name, pattern: pattern)
        }
    }

    /// The checks `check=`, `schema=`, `regex=` and `label=` ask for on `set` (see `ReplyChecks`).
    static func checks(for set: EvaluationSet, context: CommandContext) throws -> ReplyChecks {
        let a = context.arguments
        var given: JSONSchema?
        if let written = a.word("schema") {
            let url = try context.resolvePath(written, argument: "schema")
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw CommandError.notFound("no schema file at \(written): give a JSON Schema file, or leave schema= out to infer one from the expected replies",
                                            at: context.range(of: "schema"))
            }
            do { given = try JSONSchema(json: String(decoding: data, as: UTF8.self)) } catch {
                throw CommandError.invalidValue("\(written): \(error)", at: context.range(of: "schema"))
            }
        }
        let modes = a.words("check") ?? ["auto"]
        let targets = set.examples.map(ModelEvaluator.expected)
        do {
            return try ReplyChecks.make(modes: modes.isEmpty ? ["auto"] : modes, targets: targets, ids: set.ids, schema: given,
                                        schemaName: a.word("schema"), pattern: a.word("regex"), labelField: a.word("label"),
                                        items: itemChecks(of: set))
        } catch {
            let guess = error.argument == "check" ? modes.lazy.compactMap { suggest($0, from: ReplyChecks.names) }.first : nil
            throw CommandError("InvalidValue", error.message, at: context.range(of: error.argument), suggestion: guess)
        }
    }
}
