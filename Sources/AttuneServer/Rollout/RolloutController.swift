import Essentials
import Evaluation
import Foundation
import Synchronization

/// The live state of a rollout: the plan, the candidate's recent observations, and whether a
/// rollback rule fired. Handlers ask it where a request goes (`route`) and report what came of the
/// candidate's requests (`observe`); it counts both for `/metrics`.
final class RolloutController: Sendable {
    /// Where one request goes.
    enum Route: Equatable, Sendable {
        /// No rollout applies: as the request asked.
        case asked
        /// The primary answers; with `shadow`, the candidate answers after it, for the log only.
        case primary(shadow: String?)
        /// The candidate answers (canary).
        case canary(String)
        /// Out of distribution: the base model answers (`fallback ood`).
        case fallback
    }

    /// A rule that fired: the rule, its value, and when.
    struct Rollback: Sendable, Equatable {
        var rule: RollbackRule
        var value: Double
        var time: Date
        /// `schema_valid < 0.8 over 50 fired at 0.74`.
        var text: String { "\(rule) fired at \(JSONValue.numberText((value * 10_000).rounded() / 10_000))" }
    }

    private struct State {
        var plan: RolloutPlan?
        var observations: [RolloutObservation] = []
        /// Whether each of the rollout's recent requests was out of distribution (for `ood_rate`).
        var novelFlags: [Bool] = []
        var scored = 0
        var novel = 0
        var rollback: Rollback?
        var requests: [String: Int] = [:]
        var shadowSkipped = 0
        var pendingShadows = 0
    }

    private let state = Mutex(State())

    init() {}

    /// Replaces the plan (nil: no rollout); observations and any rollback start afresh.
    func set(_ plan: RolloutPlan?) {
        state.withLock { s in
            s.plan = plan
            s.observations = []
            s.novelFlags = []
            s.rollback = nil
        }
    }

    var plan: RolloutPlan? { state.withLock { $0.plan } }
    var rollback: Rollback? { state.withLock { $0.rollback } }

    /// The fallback to score a request naming `model` with, when the rollout has one and the
    /// request takes part in it.
    func fallback(for model: String?) -> OutOfDistributionFallback? {
        state.withLock { s in
            guard let plan = s.plan, let fallback = plan.fallback else { return nil }
            return model == (plan.primary == AdapterName.base ? nil : plan.primary) ? fallback : nil
        }
    }

    /// Where a request naming `model` goes, without novelty scores (see `decide`).
    func route(model: String?, key: String, loaded: (String) -> Bool) -> Route {
        decide(model: model, key: key, novelty: nil, loaded: loaded).route
    }

    /// Where a request naming `model` (already resolved: nil is the base model) goes. `key` is its
    /// `user` field, else its id. `loaded` tells whether an adapter is on the server. `novelty` is
    /// the request's novelty score when the rollout has a fallback: above its threshold the base
    /// model answers (also after a rollback). Returns the rollback an `ood_rate` rule fired on
    /// this request, if one did.
    func decide(model: String?, key: String, novelty: Double?, loaded: (String) -> Bool,
                now: Date = Date()) -> (route: Route, fired: Rollback?) {
        state.withLock { s in
            guard let plan = s.plan else { return (.asked, nil) }
            let primary: String? = plan.primary == AdapterName.base ? nil : plan.primary
            guard model == primary else { return (.asked, nil) }
            func count(_ role: String) { s.requests[role, default: 0] += 1 }
            var fired: Rollback?
            if let fallback = plan.fallback, let novelty {
                let isNovel = fallback.calibration.isNovel(novelty, threshold: fallback.threshold)
                s.scored += 1
                if isNovel { s.novel += 1 }
                s.novelFlags.append(isNovel)
                let longest = plan.rules.filter { $0.metric == .oodRate }.map(\.window).max() ?? 1
                if s.novelFlags.count > 2 * longest { s.novelFlags.removeFirst(s.novelFlags.count - longest) }
                if s.rollback == nil {
                    for rule in plan.rules where rule.metric == .oodRate {
                        if let value = rule.fires(on: [RolloutObservation](), novelFlags: s.novelFlags) {
                            s.rollback = Rollback(rule: rule, value: value, time: now)
                            fired = s.rollback
                            break
                        }
                    }
                }
                if isNovel { count("fallback"); return (.fallback, fired) }
            }
            guard s.rollback == nil, loaded(plan.candidate) else { count("primary"); return (.primary(shadow: nil), fired) }
            switch plan.mode {
            case .shadow:
                count("primary")
                return (.primary(shadow: plan.candidate), fired)
            case .canary:
                if RolloutPlan.isCanary(key: key, share: plan.share) { count("canary"); return (.canary(plan.candidate), fired) }
                count("primary")
                return (.primary(shadow: nil), fired)
            }
        }
    }

    /// Claims a place for one shadow generation (at most `limit` wait at once; beyond, the shadow
    /// is skipped and counted). Call `shadowDone()` after it ran.
    func claimShadow(limit: Int) -> Bool {
        state.withLock { s in
            guard s.pendingShadows < limit else { s.shadowSkipped += 1; return false }
            s.pendingShadows += 1
            s.requests["shadow", default: 0] += 1
            return true
        }
    }

    func shadowDone() { state.withLock { $0.pendingShadows -= 1 } }

    /// Shadows queued or running.
    var pendingShadows: Int { state.withLock { $0.pendingShadows } }

    /// Records one candidate request; returns the rollback when this observation made a rule fire.
    func observe(_ observation: RolloutObservation, now: Date = Date()) -> Rollback? {
        state.withLock { s in
            guard let plan = s.plan, s.rollback == nil else { return nil }
            s.observations.append(observation)
            let longest = plan.rules.filter { $0.metric != .oodRate }.map(\.window).max() ?? 0
            if s.observations.count > 2 * max(longest, 1) { s.observations.removeFirst(s.observations.count - longest) }
            for rule in plan.rules where rule.metric != .oodRate {
                if let value = rule.fires(on: s.observations) {
                    s.rollback = Rollback(rule: rule, value: value, time: now)
                    return s.rollback
                }
            }
            return nil
        }
    }

    /// Whether `reply` counts as schema-valid: JSON matching the plan's schema, else `requested`
    /// (the request's `response_format` schema), else any JSON object.
    static func isSchemaValid(_ reply: String, schema: JSONSchema?) -> Bool {
        guard let value = try? JSONValue.parse(reply.trimmingCharacters(in: .whitespacesAndNewlines)) else { return false }
        if let schema { return schema.violations(of: value).isEmpty }
        if case .object = value { return true }
        return false
    }

    /// The `/metrics` lines of the rollout (empty without one).
    func prometheusText() -> String {
        let s = state.withLock { $0 }
        guard let plan = s.plan else { return "" }
        func label(_ t: String) -> String { t.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") }
        var out = "# HELP attune_rollout_info The rollout in force (mode, candidate, primary).\n# TYPE attune_rollout_info gauge\n"
        out += "attune_rollout_info{mode=\"\(plan.mode.rawValue)\",candidate=\"\(label(plan.candidate))\",primary=\"\(label(plan.primary))\"} 1\n"
        out += "# HELP attune_rollout_requests_total Requests of the rollout by role (primary, canary, shadow, fallback).\n# TYPE attune_rollout_requests_total counter\n"
        for role in ["primary", "canary", "shadow", "fallback"] { out += "attune_rollout_requests_total{role=\"\(role)\"} \(s.requests[role] ?? 0)\n" }
        if let fallback = plan.fallback {
            out += "# HELP attune_rollout_novelty_scored_total Requests of the rollout whose novelty was scored.\n"
            out += "# TYPE attune_rollout_novelty_scored_total counter\nattune_rollout_novelty_scored_total \(s.scored)\n"
            out += "# HELP attune_rollout_out_of_distribution_total Requests scored above the novelty threshold (answered by the base model).\n"
            out += "# TYPE attune_rollout_out_of_distribution_total counter\nattune_rollout_out_of_distribution_total \(s.novel)\n"
            out += "# HELP attune_rollout_novelty_threshold The novelty score above which a request falls back to the base model.\n"
            out += "# TYPE attune_rollout_novelty_threshold gauge\nattune_rollout_novelty_threshold \(JSONValue.numberText(fallback.threshold))\n"
        }
        out += "# HELP attune_rollout_shadow_skipped_total Shadow generations skipped because too many were waiting.\n"
        out += "# TYPE attune_rollout_shadow_skipped_total counter\nattune_rollout_shadow_skipped_total \(s.shadowSkipped)\n"
        out += "# HELP attune_rollout_rule_value Each rollback rule's metric over its window (absent until the window is full).\n"
        out += "# TYPE attune_rollout_rule_value gauge\n"
        for rule in plan.rules {
            let value = s.rollback?.rule == rule ? s.rollback?.value : rule.value(over: s.observations, novelFlags: s.novelFlags)
            if let value { out += "attune_rollout_rule_value{rule=\"\(label(rule.description))\"} \(JSONValue.numberText(value))\n" }
        }
        out += "# HELP attune_rollout_rolled_back 1 once a rollback rule fired: every request goes to the primary.\n"
        out += "# TYPE attune_rollout_rolled_back gauge\nattune_rollout_rolled_back \(s.rollback == nil ? 0 : 1)\n"
        if let rollback = s.rollback {
            out += "# HELP attune_rollout_rollback The rule that fired and its value.\n# TYPE attune_rollout_rollback gauge\n"
            out += "attune_rollout_rollback{rule=\"\(label(rollback.rule.description))\",value=\"\(JSONValue.numberText(rollback.value))\"} 1\n"
        }
        return out
    }
}
