import AttuneLanguage
import AttuneRuntime
import AttuneServer
import Evaluation
import Foundation

/// `serve rollout shadow|canary|off [candidate=NAME] [share=5%] [when="RULE; RULE"] [primary=NAME]`:
/// the rollout of the session's server (as `attune serve --rollout FILE` sets it).
struct ServeRolloutCommand: RuntimeCommand {
    let spec = CommandSpec(["serve", "rollout"], usage: "serve rollout shadow|canary|off [candidate=NAME share=5% when=\"RULE\" primary=NAME]",
                           summary: "shadow or canary an adapter on the session's server, with rollback rules")
    let schema = ArgumentSchema([
        .positional("mode", .choice(["shadow", "canary", "off"]), "shadow: the candidate answers after the primary, for the log only; canary: it answers a share; off: the primary alone"),
        .keyed("candidate", .text, default: "the session's adapter name (tuned)", "the adapter being tried"),
        .keyed("share", .fraction, "canary: the part of requests the candidate answers (5% or 0.05), by a hash of the request's user"),
        .keyed("when", .text, "rollback rules, ';' between them: \"schema_valid < 0.8 over 50; error_rate > 0.1 over 20\""),
        .keyed("primary", .text, default: "base", "what answers otherwise: base or an adapter name"),
        .keyed("fallback", .text, default: "none", "\"ood threshold=calibrated\" (or threshold=0.99): requests scored out of distribution go to the base model"),
        .keyed("novelty", .path, default: "the session's calibration", "the calibration file for fallback, written by novelty calibrate … save="),
    ])
    let help = CommandHelp("""
        Sets how the server started with `serve start` shares requests that name the primary (base by default) \
        with a candidate adapter. shadow: the primary answers and the candidate answers the same request after the \
        reply went out; both are logged, marked primary and shadow. canary share=5%: a fixed part of requests goes \
        to the candidate, chosen by a hash of the request's OpenAI `user` (so a user stays on one side; without it, \
        the request id). when= gives rollback rules over the candidate's last N requests — metrics schema_valid, \
        error_rate, refusal_rate (shares) and latency_p95 (seconds, or 800ms) — such as "schema_valid < 0.8 over \
        50": when one fires, every request goes to the primary again and the request log, /metrics and `serve \
        status` say which rule fired at what value. fallback="ood threshold=calibrated" scores each request's \
        novelty with the session's calibration (novelty calibrate, or novelty=FILE) and sends those above the \
        threshold to the base model (role fallback); the rule metric ood_rate is the share of such requests. off \
        ends the rollout.
        """, examples: ["serve rollout shadow candidate=tuned", "serve rollout canary candidate=tuned share=5% when=\"schema_valid < 0.8 over 50\"",
                        "serve rollout canary candidate=tuned share=100% fallback=\"ood threshold=calibrated\" when=\"ood_rate > 0.3 over 50\"",
                        "serve rollout off"])

    func run(_ context: CommandContext) throws {
        guard let entry = ServeREPLCommands.current.withLock({ $0 }) else {
            throw CommandError("NotServing", "no server is running; start one with `serve start`, then set its rollout")
        }
        let a = context.arguments
        let server = entry.running.server
        guard let mode = a.word("mode"), mode != "off" else {
            try? server.setRollout(nil)
            context.result("rollout off: the primary answers every request")
            return
        }
        let plan: RolloutPlan
        do {
            let rules = try RolloutPlan.rules(a.word("when").map { [$0] } ?? [])
            if mode == "shadow", a.has("share") {
                throw RolloutError("share= is for a canary; a shadow runs the candidate on every request")
            }
            var fallback: OutOfDistributionFallback?
            if let text = a.word("fallback") {
                let threshold = try OutOfDistributionFallback.threshold(parsing: text)
                let calibration: NoveltyCalibration
                if let written = a.word("novelty") {
                    calibration = try OutOfDistributionFallback.readCalibration(path: try context.resolvePath(written, argument: "novelty").path)
                } else if let session = context.session.novelty {
                    calibration = session
                } else {
                    throw RolloutError("fallback needs a novelty calibration: run novelty calibrate on=val first, or give novelty=\"FILE\"")
                }
                fallback = try OutOfDistributionFallback(calibration: calibration, threshold: threshold)
            }
            plan = try RolloutPlan(mode: mode == "shadow" ? .shadow : .canary, candidate: a.word("candidate") ?? entry.options.adapterName,
                                   primary: a.word("primary") ?? "base", share: a.number("share"), rules: rules, fallback: fallback)
            try server.setRollout(plan)
        } catch let error as RolloutError {
            let at = error.message.contains("fallback") || error.message.contains("novelty") ? "fallback"
                : error.message.contains("rule") ? "when" : error.message.contains("share") ? "share" : "candidate"
            throw CommandError("InvalidValue", error.message, at: context.range(of: at))
        }
        context.result("rollout \(plan.summary)")
    }
}
