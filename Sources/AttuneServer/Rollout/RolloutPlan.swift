import Essentials
import Evaluation
import Foundation

/// How requests for the primary are shared with a candidate adapter (`attune serve --rollout FILE`,
/// REPL `serve rollout …`):
///
/// - `shadow`: the primary answers; the candidate answers the same request after the reply went
///   out, and only the log sees it (lines marked `primary` and `shadow`);
/// - `canary`: a deterministic `share` of requests goes to the candidate, chosen by a hash of the
///   request's OpenAI `user` field (so a user stays on one side), or of its id without one;
/// - `rollback` rules over the candidate's recent traffic: when one fires, every request goes to
///   the primary again, and the log and `/metrics` say which rule fired at what value;
/// - `fallback` `ood threshold=calibrated` (with `novelty`, a calibration file written by
///   `novelty calibrate … save=PATH`): a request whose novelty score is above the threshold is
///   answered by the base model instead (role `fallback`), whatever the mode chose; the rule
///   metric `ood_rate` is the share of the rollout's requests flagged so.
///
/// Requests that name the primary (`base` by default) take part; requests that name an adapter
/// directly are served as asked. The file is JSON:
/// `{"mode": "canary", "candidate": "tuned", "share": "5%", "rollback": ["schema_valid < 0.8 over 50"],
///   "schema": "triage.schema.json"}` (`primary` defaults to `base`; `schema`, relative to the
/// file, is what `schema_valid` checks replies against; `"fallback": "ood threshold=calibrated",
/// "novelty": "novelty.json"` adds the fallback, the file also relative to the rollout file).
public struct RolloutPlan: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable { case shadow, canary }

    public var mode: Mode
    public var candidate: String
    /// `base` or an adapter name.
    public var primary: String
    /// Canary share, 0…1 (shadow: 1, every request is shadowed).
    public var share: Double
    public var rules: [RollbackRule]
    /// What `schema_valid` checks against (nil: the request's `response_format`, else any JSON object).
    public var schema: JSONSchema?
    /// Out-of-distribution requests go to the base model (nil: no fallback).
    public var fallback: OutOfDistributionFallback?

    public init(mode: Mode, candidate: String, primary: String = "base", share: Double? = nil, rules: [RollbackRule] = [],
                schema: JSONSchema? = nil, fallback: OutOfDistributionFallback? = nil) throws {
        guard !candidate.isEmpty else { throw RolloutError("the rollout needs a candidate: the adapter name it tries (candidate=NAME)") }
        guard candidate != primary else {
            throw RolloutError("the candidate and the primary are both '\(candidate)'; the candidate is the adapter being tried")
        }
        self.mode = mode; self.candidate = candidate; self.primary = primary; self.rules = rules; self.schema = schema
        if fallback == nil, let rule = rules.first(where: { $0.metric == .oodRate }) {
            throw RolloutError("the rule '\(rule)' needs novelty scores: add \"fallback\": \"ood threshold=calibrated\" and \"novelty\": a file from novelty calibrate … save=")
        }
        self.fallback = fallback
        switch mode {
        case .shadow:
            self.share = 1
        case .canary:
            guard let share else { throw RolloutError("a canary needs share: the part of requests the candidate answers, such as 5% or 0.05") }
            guard (0...1).contains(share) else { throw RolloutError("share must be between 0 and 1 (or 0%–100%), got \(share)") }
            self.share = share
        }
    }

    /// Reads `text` as `5%` or `0.05`.
    public static func share(_ text: String) throws -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%"), let x = Double(trimmed.dropLast()), x.isFinite { return x / 100 }
        if let x = Double(trimmed), x.isFinite { return x }
        throw RolloutError("share '\(text)' is not a share: write 5% or 0.05")
    }

    /// Rules written one per item, or several in one text separated by `;`.
    public static func rules(_ texts: [String]) throws -> [RollbackRule] {
        try texts.flatMap { $0.split(separator: ";") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map(RollbackRule.init(parsing:))
    }

    /// Reads the JSON rollout file at `path`; errors name the file and the key.
    public static func read(path: String) throws -> RolloutPlan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RolloutError("cannot read the rollout file \(path): give a JSON file such as {\"mode\": \"shadow\", \"candidate\": \"tuned\"}")
        }
        let json: JSONValue
        do { json = try JSONValue.parse(data) } catch { throw RolloutError("\(path) is not JSON: \(error)") }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do { return try parse(json, folder: folder) } catch let error as RolloutError { throw RolloutError("\(path): \(error.message)") }
    }

    static let keys = ["mode", "candidate", "primary", "share", "rollback", "schema", "fallback", "novelty"]

    /// A plan from its JSON object; `schema` paths resolve against `folder`.
    static func parse(_ json: JSONValue, folder: URL) throws -> RolloutPlan {
        guard case .object(let members) = json else { throw RolloutError("the rollout must be a JSON object with mode and candidate") }
        for (key, _) in members where !keys.contains(key) {
            throw RolloutError("unknown key '\(key)'; the keys are \(keys.joined(separator: ", "))")
        }
        func string(_ key: String) throws -> String? {
            switch json[key] {
            case nil, .null?: return nil
            case .string(let s)?: return s
            case let other?: throw RolloutError("'\(key)' must be a string, not \(other.typeDescription)")
            }
        }
        guard let modeText = try string("mode") else { throw RolloutError("'mode' is missing: shadow or canary") }
        guard let mode = Mode(rawValue: modeText) else { throw RolloutError("'mode' is '\(modeText)'; it is shadow or canary") }
        guard let candidate = try string("candidate") else { throw RolloutError("'candidate' is missing: the adapter name being tried") }
        var share: Double?
        switch json["share"] {
        case nil, .null?: break
        case .number(let x, _)?: share = x
        case .string(let s)?: share = try Self.share(s)
        case let other?: throw RolloutError("'share' must be a number or a text such as \"5%\", not \(other.typeDescription)")
        }
        var ruleTexts = [String]()
        switch json["rollback"] {
        case nil, .null?: break
        case .string(let s)?: ruleTexts = [s]
        case .array(let items)?:
            ruleTexts = try items.map { item in
                guard case .string(let s) = item else { throw RolloutError("'rollback' must hold rule texts, not \(item.typeDescription)") }
                return s
            }
        case let other?: throw RolloutError("'rollback' must be a rule text or an array of them, not \(other.typeDescription)")
        }
        var schema: JSONSchema?
        if let written = try string("schema") {
            let url = URL(fileURLWithPath: written, relativeTo: folder)
            guard let data = FileManager.default.contents(atPath: url.path) else { throw RolloutError("'schema': no file at \(written)") }
            do { schema = try JSONSchema(json: String(decoding: data, as: UTF8.self)) } catch {
                throw RolloutError("'schema' \(written): \(error)")
            }
        }
        var fallback: OutOfDistributionFallback?
        switch (try string("fallback"), try string("novelty")) {
        case (let text?, let written?):
            let threshold = try OutOfDistributionFallback.threshold(parsing: text)
            let calibration = try OutOfDistributionFallback.readCalibration(path: URL(fileURLWithPath: written, relativeTo: folder).path)
            fallback = try OutOfDistributionFallback(calibration: calibration, threshold: threshold)
        case (_?, nil):
            throw RolloutError("'fallback' needs 'novelty': the calibration file written by novelty calibrate on=val save=\"novelty.json\"")
        case (nil, _?):
            throw RolloutError("'novelty' is given without 'fallback': add \"fallback\": \"ood threshold=calibrated\"")
        case (nil, nil): break
        }
        return try RolloutPlan(mode: mode, candidate: candidate, primary: try string("primary") ?? "base", share: share,
                               rules: try rules(ruleTexts), schema: schema, fallback: fallback)
    }

    /// `canary tuned 5% (primary base) · rollback when schema_valid < 0.8 over 50`.
    public var summary: String {
        var text = mode == .shadow ? "shadow \(candidate)" : "canary \(candidate) \(JSONValue.numberText((share * 1000).rounded() / 10))%"
        text += " (primary \(primary))"
        if !rules.isEmpty { text += " · rollback when " + rules.map(\.description).joined(separator: "; ") }
        if let fallback { text += " · fallback \(fallback.description)" }
        return text
    }

    /// Whether a request keyed `key` (its `user`, else its id) goes to the candidate: the key's
    /// FNV-1a hash, mixed by SplitMix64's finalizer, read as a fraction of 2^64, is below `share`.
    public static func isCanary(key: String, share: Double) -> Bool {
        share >= 1 || Double(SplitMix64.scramble(FNV1a.hash(key)) >> 11) * 0x1.0p-53 < share
    }
}
