import Essentials
import Evaluation
import Foundation
import Tokenization
import XCTest
@testable import AttuneServer

/// Shadow, canary and rollback: the rules on constructed windows, the canary's share and
/// stickiness by `user`, and the modes through real HTTP with the tiny model and an adapter.
final class RolloutTests: XCTestCase {
    // MARK: Rules

    func testRulesParseAndExplainMistakes() throws {
        let rule = try RollbackRule(parsing: "schema_valid < 0.8 over 50")
        XCTAssertEqual(rule, RollbackRule(metric: .schemaValid, comparison: .below, threshold: 0.8, window: 50))
        XCTAssertEqual(rule.description, "schema_valid < 0.8 over 50")
        XCTAssertEqual(try RollbackRule(parsing: "latency_p95 > 800ms over 20").threshold, 0.8, accuracy: 1e-12)
        XCTAssertEqual(try RollbackRule(parsing: "latency_p95 >= 2s over 20").description, "latency_p95 >= 2s over 20")
        XCTAssertEqual(try RollbackRule(parsing: "error_rate > 5% over 100").threshold, 0.05, accuracy: 1e-12)
        let cases: [(String, String)] = [
            ("schema_valid < 0.8", "write a rule as METRIC OP NUMBER over N"),
            ("schema_vaild < 0.8 over 50", "unknown metric 'schema_vaild' — did you mean schema_valid?"),
            ("error_rate => 0.1 over 5", "'=>' is not a comparison; use <, <=, > or >="),
            ("refusal_rate > lots over 5", "'lots' is not a number"),
            ("error_rate > 1.5 over 5", "error_rate is a share between 0 and 1"),
            ("error_rate > 0.1 over 0", "the window 'over N' must be a whole number of requests, 1…100000, got '0'"),
            ("latency_p95 > 0 over 5", "the latency must be above 0 seconds"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try RollbackRule(parsing: text), text) { XCTAssertTrue("\($0)".contains(message), "\(text): \($0)") }
        }
    }

    /// A window of `n` observations where the first `k` have `mark` applied.
    func window(_ n: Int, marked k: Int, _ mark: (inout RolloutObservation) -> Void) -> [RolloutObservation] {
        (0..<n).map { i in
            var o = RolloutObservation(schemaValid: true, failed: false, refusal: false, latencySeconds: 0.5)
            if i < k { mark(&o) }
            return o
        }
    }

    func testEachRuleFiresOnItsWindowAndNotOnTheComplement() throws {
        // schema_valid < 0.8 over 50: 11 invalid → 39/50 = 0.78 fires; 10 invalid → 0.8 does not.
        let schema = try RollbackRule(parsing: "schema_valid < 0.8 over 50")
        XCTAssertEqual(try XCTUnwrap(schema.fires(on: window(50, marked: 11) { $0.schemaValid = false })), 0.78, accuracy: 1e-12)
        XCTAssertNil(schema.fires(on: window(50, marked: 10) { $0.schemaValid = false }))
        XCTAssertNil(schema.fires(on: window(49, marked: 49) { $0.schemaValid = false }), "a window not yet full judges nothing")
        // Only the last 50 count: 20 invalid before 50 valid do not fire.
        XCTAssertNil(schema.fires(on: window(20, marked: 20) { $0.schemaValid = false } + window(50, marked: 0) { _ in }))
        // error_rate > 0.1 over 20: 3 failures (0.15) fire, 2 (0.1) do not.
        let errors = try RollbackRule(parsing: "error_rate > 0.1 over 20")
        XCTAssertEqual(try XCTUnwrap(errors.fires(on: window(20, marked: 3) { $0.failed = true })), 0.15, accuracy: 1e-12)
        XCTAssertNil(errors.fires(on: window(20, marked: 2) { $0.failed = true }))
        // refusal_rate >= 0.25 over 8: 2 refusals fire, 1 does not.
        let refusals = try RollbackRule(parsing: "refusal_rate >= 0.25 over 8")
        XCTAssertEqual(refusals.fires(on: window(8, marked: 2) { $0.refusal = true }), 0.25)
        XCTAssertNil(refusals.fires(on: window(8, marked: 1) { $0.refusal = true }))
        // latency_p95 > 2.5s over 20: the 19th of 20 sorted latencies (nearest rank). Two slow
        // requests put 3 s there and fire; one leaves 0.5 s there.
        let latency = try RollbackRule(parsing: "latency_p95 > 2.5s over 20")
        XCTAssertEqual(latency.fires(on: window(20, marked: 2) { $0.latencySeconds = 3 }), 3)
        XCTAssertNil(latency.fires(on: window(20, marked: 1) { $0.latencySeconds = 3 }))
        XCTAssertEqual(latency.value(over: window(20, marked: 1) { $0.latencySeconds = 3 }), 0.5)
    }

    func testRefusals() {
        for text in ["I'm sorry, but I can't help with that.", "  \"I cannot do that\"", "As an AI, I have no opinions", "I\u{2019}m unable to"] {
            XCTAssertTrue(RefusalDetector.isRefusal(text), text)
        }
        for text in ["{\"category\": \"billing\"}", "Sure, here it is. I cannot wait!", "Icannot", ""] {
            XCTAssertFalse(RefusalDetector.isRefusal(text), text)
        }
    }

    // MARK: Canary routing

    func testCanaryShareIsWithinItsBinomialIntervalAndUsersStick() {
        let n = 1000
        for share in [0.05, 0.3, 0.5] {
            let canary = (0..<n).filter { RolloutPlan.isCanary(key: "user-\($0)", share: share) }.count
            // 99.9% two-sided binomial interval (normal approximation, z = 3.29).
            let mean = Double(n) * share, sd = (Double(n) * share * (1 - share)).squareRoot()
            XCTAssertTrue(abs(Double(canary) - mean) <= 3.29 * sd, "share \(share): \(canary) of \(n), expected \(mean) ± \(3.29 * sd)")
        }
        // Request ids (no user) spread the same way.
        let byID = (0..<n).filter { RolloutPlan.isCanary(key: "chatcmpl-\(String($0 &* 2_654_435_761, radix: 16))", share: 0.2) }.count
        XCTAssertTrue(abs(Double(byID) - 200) <= 3.29 * (1000 * 0.2 * 0.8).squareRoot(), "\(byID)")
        // A user stays on one side, and a larger share keeps everyone a smaller share had.
        for i in 0..<200 {
            let key = "user-\(i)"
            XCTAssertEqual(RolloutPlan.isCanary(key: key, share: 0.3), RolloutPlan.isCanary(key: key, share: 0.3))
            if RolloutPlan.isCanary(key: key, share: 0.05) { XCTAssertTrue(RolloutPlan.isCanary(key: key, share: 0.3), key) }
        }
        XCTAssertEqual((0..<n).filter { RolloutPlan.isCanary(key: "u\($0)", share: 0) }.count, 0)
        XCTAssertEqual((0..<n).filter { RolloutPlan.isCanary(key: "u\($0)", share: 1) }.count, n)
    }

    func testTheControllerRoutesOnlyThePrimarysRequests() throws {
        let controller = RolloutController()
        XCTAssertEqual(controller.route(model: nil, key: "a", loaded: { _ in true }), .asked)
        controller.set(try RolloutPlan(mode: .canary, candidate: "tuned", share: 1))
        XCTAssertEqual(controller.route(model: nil, key: "a", loaded: { _ in true }), .canary("tuned"))
        XCTAssertEqual(controller.route(model: "other", key: "a", loaded: { _ in true }), .asked, "a request naming an adapter is served as asked")
        XCTAssertEqual(controller.route(model: nil, key: "a", loaded: { _ in false }), .primary(shadow: nil), "an unloaded candidate answers nothing")
        controller.set(try RolloutPlan(mode: .shadow, candidate: "tuned", primary: "v1"))
        XCTAssertEqual(controller.route(model: "v1", key: "a", loaded: { _ in true }), .primary(shadow: "tuned"))
        XCTAssertEqual(controller.route(model: nil, key: "a", loaded: { _ in true }), .asked)
    }

    // MARK: Plans

    func testRolloutFilesAndTheirErrors() throws {
        let folder = try temporaryFolder(self)
        try #"{"type": "object", "required": ["category"], "properties": {"category": {"enum": ["billing", "bug"]}}}"#
            .write(to: folder.appendingPathComponent("triage.schema.json"), atomically: true, encoding: .utf8)
        func plan(_ text: String) throws -> RolloutPlan {
            let url = folder.appendingPathComponent("rollout.json")
            try text.write(to: url, atomically: true, encoding: .utf8)
            return try RolloutPlan.read(path: url.path)
        }
        let canary = try plan(#"{"mode": "canary", "candidate": "tuned", "share": "5%", "rollback": ["schema_valid < 0.8 over 50", "error_rate > 0.1 over 20; latency_p95 > 3s over 50"], "schema": "triage.schema.json"}"#)
        XCTAssertEqual(canary.share, 0.05, accuracy: 1e-12)
        XCTAssertEqual(canary.rules.map(\.description), ["schema_valid < 0.8 over 50", "error_rate > 0.1 over 20", "latency_p95 > 3s over 50"])
        XCTAssertEqual(canary.schema?.required, ["category"])
        XCTAssertEqual(canary.summary, "canary tuned 5% (primary base) · rollback when schema_valid < 0.8 over 50; error_rate > 0.1 over 20; latency_p95 > 3s over 50")
        XCTAssertEqual(try plan(#"{"mode": "shadow", "candidate": "tuned"}"#).summary, "shadow tuned (primary base)")
        let errors: [(String, String)] = [
            (#"{"mode": "canary", "candidate": "tuned"}"#, "a canary needs share"),
            (#"{"mode": "shadow"}"#, "'candidate' is missing"),
            (#"{"mode": "blue-green", "candidate": "t"}"#, "'mode' is 'blue-green'; it is shadow or canary"),
            (#"{"mode": "shadow", "candidate": "t", "rollbak": []}"#, "unknown key 'rollbak'"),
            (#"{"mode": "canary", "candidate": "t", "share": 2}"#, "share must be between 0 and 1"),
            (#"{"mode": "shadow", "candidate": "t", "rollback": ["error_rate > 0.1"]}"#, "rollback rule 'error_rate > 0.1'"),
            (#"{"mode": "shadow", "candidate": "t", "schema": "none.json"}"#, "'schema': no file at none.json"),
            (#"{"mode": "shadow", "candidate": "base"}"#, "the candidate and the primary are both 'base'"),
            ("{nope", "is not JSON"),
        ]
        for (text, message) in errors {
            XCTAssertThrowsError(try plan(text), text) { error in
                XCTAssertTrue("\(error)".contains(message), "\(text): \(error)")
                XCTAssertTrue("\(error)".contains("rollout.json"), "names the file: \(error)")
            }
        }
        XCTAssertThrowsError(try RolloutPlan.read(path: folder.appendingPathComponent("missing.json").path)) {
            XCTAssertTrue("\($0)".contains("cannot read the rollout file"), "\($0)")
        }
    }

    // MARK: Through HTTP

    func logEntries(_ path: String) throws -> [JSONValue] { try RequestLog.read(path: path).entries }

    func testShadowLogsBothSidesAndReturnsThePrimarysReply() async throws {
        let folder = try temporaryFolder(self)
        let adapter = try saveTinyAdapter(to: folder.appendingPathComponent("cand"), seed: 11)
        let log = folder.appendingPathComponent("requests.jsonl").path
        let server = try await startServer(adapters: [("cand", adapter)], configure: { $0.logPath = log })
        XCTAssertThrowsError(try server.server.setRollout(try RolloutPlan(mode: .shadow, candidate: "missing"))) {
            XCTAssertTrue("\($0)".contains("the rollout's candidate 'missing' is not an adapter of this server; loaded: base, cand"), "\($0)")
        }
        try server.server.setRollout(try RolloutPlan(mode: .shadow, candidate: "cand"))
        let messages = [ChatMessage(role: "user", content: "Where is my order?")]
        let reply = try await server.post("/v1/chat/completions", chatBody("Where is my order?", maxTokens: 16))
        XCTAssertEqual(reply.status, 200, reply.body)
        let primary = try referenceReply(messages, maxTokens: 16).text
        let shadow = try referenceReply(messages, adapterFolder: adapter, maxTokens: 16).text
        XCTAssertNotEqual(primary, shadow, "the adapter changes the reply, so the test can tell the sides apart")
        XCTAssertEqual(try reply.json["choices"]?[0]?["message"]?["content"]?.stringValue, primary, "the client sees the primary's reply")
        XCTAssertEqual(try reply.json["model"], "base")
        try await server.eventually("the shadow's line is in the log") { try self.logEntries(log).count == 2 }
        let entries = try logEntries(log)
        XCTAssertEqual(entries.map { $0["role"]?.stringValue }, ["primary", "shadow"])
        XCTAssertEqual(entries.map { $0["model"]?.stringValue }, ["base", "cand"])
        XCTAssertEqual(entries.map { $0["reply"]?.stringValue }, [primary, shadow])
        XCTAssertEqual(entries[0]["id"], entries[1]["id"], "both lines carry the request's id")
        let metrics = try await server.get("/metrics").body
        for line in ["attune_rollout_info{mode=\"shadow\",candidate=\"cand\",primary=\"base\"} 1", "attune_rollout_requests_total{role=\"primary\"} 1",
                     "attune_rollout_requests_total{role=\"shadow\"} 1", "attune_rollout_rolled_back 0"] {
            XCTAssertTrue(metrics.contains(line + "\n"), "\(line) in\n\(metrics)")
        }
        // A request naming the adapter directly is not part of the rollout.
        _ = try await server.post("/v1/chat/completions", chatBody("Hi", model: "cand", maxTokens: 4))
        XCTAssertEqual(try logEntries(log).last?["role"], nil)
    }

    func testCanaryRoutesUsersAndRollbackReturnsEveryoneToThePrimary() async throws {
        let folder = try temporaryFolder(self)
        let adapter = try saveTinyAdapter(to: folder.appendingPathComponent("cand"), seed: 11)
        let log = folder.appendingPathComponent("requests.jsonl").path
        let server = try await startServer(adapters: [("cand", adapter)], configure: { $0.logPath = log })
        // The tiny model never answers JSON: three canary replies make schema_valid 0 over 3.
        try server.server.setRollout(try RolloutPlan(mode: .canary, candidate: "cand", share: 0.5,
                                                     rules: [try RollbackRule(parsing: "schema_valid < 0.5 over 3")]))
        let users = (0..<100).map { "user-\($0)" }
        let canaryUser = try XCTUnwrap(users.first { RolloutPlan.isCanary(key: $0, share: 0.5) })
        let primaryUser = try XCTUnwrap(users.first { !RolloutPlan.isCanary(key: $0, share: 0.5) })
        let messages = [ChatMessage(role: "user", content: "Refund please")]
        let base = try referenceReply(messages, maxTokens: 12).text
        let tuned = try referenceReply(messages, adapterFolder: adapter, maxTokens: 12).text
        XCTAssertNotEqual(base, tuned, "the adapter changes the reply, so the test can tell the sides apart")
        // The body's `model` stays what the client asked; x-attune-served-by says what answered.
        func ask(_ user: String) async throws -> String? {
            let reply = try await server.post("/v1/chat/completions", chatBody("Refund please", maxTokens: 12, extra: "\"user\": \"\(user)\""))
            XCTAssertEqual(reply.status, 200, reply.body)
            let text = try reply.json["choices"]?[0]?["message"]?["content"]?.stringValue
            XCTAssertEqual(try reply.json["model"]?.stringValue, "base")
            XCTAssertEqual(reply.headers.first(name: "x-attune-served-by"), text == tuned ? "cand" : "base")
            return text
        }
        let answerPrimary = try await ask(primaryUser)
        XCTAssertEqual(answerPrimary, base)
        for _ in 0..<2 {
            let answer = try await ask(canaryUser)
            XCTAssertEqual(answer, tuned, "the same user stays on the canary")
        }
        var metrics = try await server.get("/metrics").body
        XCTAssertTrue(metrics.contains("attune_rollout_rolled_back 0\n"), metrics)
        XCTAssertFalse(metrics.contains("attune_rollout_rule_value{"), "no value before the window is full")
        let third = try await ask(canaryUser)
        XCTAssertEqual(third, tuned)
        // The rule fired on the third canary reply: everyone is back on the primary.
        let after = try await ask(canaryUser)
        XCTAssertEqual(after, base)
        metrics = try await server.get("/metrics").body
        for line in ["attune_rollout_rolled_back 1", "attune_rollout_rollback{rule=\"schema_valid < 0.5 over 3\",value=\"0\"} 1",
                     "attune_rollout_rule_value{rule=\"schema_valid < 0.5 over 3\"} 0", "attune_rollout_requests_total{role=\"canary\"} 3",
                     "attune_rollout_requests_total{role=\"primary\"} 2"] {
            XCTAssertTrue(metrics.contains(line + "\n"), "\(line) in\n\(metrics)")
        }
        XCTAssertEqual(server.server.rolloutStatus.rollback, "schema_valid < 0.5 over 3 fired at 0")
        let entries = try logEntries(log)
        XCTAssertEqual(entries.map { $0["role"]?.stringValue }, ["primary", "canary", "canary", "canary", "primary"])
        XCTAssertEqual(entries.map { $0["model"]?.stringValue }, ["base", "cand", "cand", "cand", "base"])
        XCTAssertEqual(entries[3]["rollback"]?["rule"], "schema_valid < 0.5 over 3")
        XCTAssertEqual(entries[3]["rollback"]?["value"], 0)
        XCTAssertNil(entries[2]["rollback"])
    }
}
