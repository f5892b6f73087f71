import AttuneLanguage
import Essentials
import Evaluation
import Foundation

/// `eval general [probe=PATH] [max=N] [samples=N]`: the general-capability probe (see
/// ``GeneralProbe``) on the current model: the pass rate with its 95% Wilson interval, per
/// category, and the failing items. Kept per model state for `compare`'s forgetting row.
struct EvalGeneralCommand: RuntimeCommand {
    let spec = StandardSpec.named("eval general")
    let schema = ArgumentSchema([
        .keyed("probe", .path, default: "the built-in probe (Notebooks/data/general-probe.jsonl)",
               "another probe: a JSONL file whose records each carry a check field (exact, contains, regex with pattern) and a category"),
        .keyed("max", .integer(.closed(1, 4096)), default: "\(GeneralProbe.defaultMaxTokens)", "most new tokens per reply"),
        .keyed("samples", .integer(.closed(0, 1000)), default: "0", "replies shown in full"),
    ])
    let help = CommandHelp("""
        Runs the general-capability probe on the current model (with its adapter, when one is trained or \
        loaded): 105 short items written for Attune — arithmetic, facts, following a stated format, refusing \
        nonsense, short instructions — each answered greedily (up to \(GeneralProbe.defaultMaxTokens) tokens) \
        and checked by its own check (exact, contains, or a regex). It prints the pass rate with its 95% Wilson \
        interval, the rate per category and the first failing items. Fine-tuning can cost a model what it \
        could do before (catastrophic forgetting): run it before training and after, and compare base tuned \
        (or compare two named probe results) shows a forgetting row — the probe's pass rate on both sides and \
        the items that regressed. The probe is built in (the same items as Notebooks/data/general-probe.jsonl); \
        probe="FILE" runs another. A warning names probe items that also occur in the training data. Fields \
        as eval's: passed, count, check_rates, by_category.
        """, examples: ["eval general", "before = eval general", "eval general samples=3 max=32",
                        "eval general probe=\"data/general-probe.jsonl\""])

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        let runner = try EvaluationRunner(context)
        let set: EvaluationSet
        if let path = a.word("probe") {
            set = try EvaluationSet.resolve(path, context: context, argument: "probe")
        } else {
            do { set = try GeneralProbe.builtinSet() } catch {
                throw CommandError("InvalidData", "the built-in probe does not load (\(error)): this build is broken; give probe=\"FILE\"")
            }
        }
        let checks: ReplyChecks
        do {
            checks = try ReplyChecks.itemChecks(EvalCommand.itemChecks(of: set), targets: set.examples.map(ModelEvaluator.expected), ids: set.ids)
        } catch {
            throw CommandError("InvalidValue", "probe " + error.message, at: context.range(of: "probe"))
        }
        var result = try runner.evaluate(set, adapterOn: true, checks: checks, maxTokens: a.integer("max") ?? GeneralProbe.defaultMaxTokens,
                                         samples: a.integer("samples") ?? 0, measureLoss: false, groupBy: "category")
        result.isGeneralProbe = true
        context.session.generalProbes[runner.probeKey(adapterOn: true)] = result
        if let name = context.binding { context.session.evaluations[name.text] = result }
        context.result(result.text)
        if let overlap = TrainingOverlap.warning(for: set, fromSplitPart: set.isSplitPart, session: context.session) {
            context.warn(overlap)
        }
        context.evaluation = result
        context.value = EvalCommand.value(of: result)
    }
}
