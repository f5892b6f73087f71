import AttuneLanguage
import Evaluation
import Foundation

/// `eval [on=SET] [schema=PATH] [check=auto|json|schema|none] [max=N] [samples=N] [loss=true|false]`:
/// held-out loss, perplexity and token accuracy, greedy sample replies, and, when the set expects
/// JSON, the rate of replies that are strictly valid JSON matching the schema with its 95%
/// Wilson interval. `base = eval` keeps the result for `compare base tuned`.
struct EvalCommand: RuntimeCommand {
    let spec = StandardSpec.named("eval")
    let schema = ArgumentSchema([
        .keyed("on", .path, default: "val", "the examples: val, train, test, all, a slice such as val[0:10], or a JSONL file \"data/heldout.jsonl\" (sliced as \"data/heldout.jsonl[0:20]\")"),
        .keyed("schema", .path, default: "inferred", "a JSON Schema file the replies must match (type, required, properties, enum, items, additionalProperties)"),
        .keyed("check", .choice(["auto", "json", "schema", "none"]), default: "auto", "which replies count as passing: auto checks JSON against the schema when the expected outputs are JSON"),
        .keyed("max", .integer(.closed(1, 4096)), default: "the longest expected reply + 25%", "most new tokens per reply"),
        .keyed("samples", .integer(.closed(0, 1000)), default: "3", "replies shown in full"),
        .keyed("loss", .bool, default: "true", "measure loss, perplexity and token accuracy (teacher-forced)"),
    ])
    let help = CommandHelp("""
        Evaluates the current model (with its adapter, when one is trained or loaded) on held-out examples: \
        by default the validation split; on= names another part, a slice, or a JSONL file loaded for this \
        command only. It reports the loss, perplexity and token accuracy on the expected replies (as training \
        computes them, teacher-forced) and a few greedy sample replies beside the expected ones. When every \
        expected reply is a JSON object, every example is answered greedily and checked: the reply must be \
        exactly one JSON object (no prose or code fence around it) matching the schema — given with schema=, \
        or inferred from the expected replies (their keys, types, and the allowed values of keys with few \
        values). It prints the schema-valid rate with its 95% Wilson interval, how often closed-set keys \
        (enums, booleans) equal the expected value, and the failing examples. Replies whose first character \
        cannot begin JSON stop there (they fail either way). Greedy decoding makes the report reproducible. \
        Name the result to compare later: base = eval, then after training tuned = eval and compare base tuned.
        """, examples: ["eval", "base = eval on=\"data/triage_heldout.jsonl\" schema=\"data/triage.schema.json\"",
                        "eval on=val[0:10] samples=5 max=48", "eval on=all check=none loss=true"])

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        let runner = try EvaluationRunner(context)
        let set = try EvaluationSet.resolve(a.word("on") ?? "val", context: context, argument: "on")
        let checks = try Self.checks(for: set, context: context)
        let maxTokens = a.integer("max") ?? runner.defaultMaxTokens(set)
        let result = try runner.evaluate(set, adapterOn: true, checks: checks, maxTokens: maxTokens,
                                         samples: a.integer("samples") ?? 3, measureLoss: a.bool("loss") ?? true)
        if let name = context.binding { context.session.evaluations[name.text] = result }
        context.result(result.text)
        context.evaluation = result
        context.value = Self.value(of: result)
    }

    /// `e.loss`, `e.perplexity`, `e.accuracy`, `e.json_rate`, `e.passed`, `e.count`,
    /// `e.field_rates.KEY` (how often a closed-set field equals the expected value), `e.set`.
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
        return ScriptRecord(kind: "eval result", fields: [
            ("loss", metrics.map { .number($0.loss) } ?? .none),
            ("perplexity", metrics.map { .number($0.perplexity) } ?? .none),
            ("accuracy", metrics.map { .number($0.accuracy) } ?? .none),
            ("json_rate", checked > 0 ? .number(Double(result.passed) / Double(checked)) : .none),
            ("passed", .number(Double(result.passed))),
            ("count", .number(Double(checked > 0 ? checked : result.ids.count))),
            ("field_rates", .record(rates)),
            ("set", .string(result.setName)),
        ])
    }

    /// The checks `schema=` and `check=` ask for on `set` (see `ReplyChecks`).
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
        let mode = a.word("check") ?? "auto"
        let targets = set.examples.map(ModelEvaluator.expected)
        guard let checks = ReplyChecks.choose(mode: mode, targets: targets, schema: given, schemaName: a.word("schema")) else {
            throw CommandError.invalidValue("check=schema needs a schema: the expected replies of \(set.name) are not all JSON objects, so give schema=\"FILE\"",
                                            at: context.range(of: "check"))
        }
        return checks
    }
}
