import Datasets
import Essentials
import Evaluation
import Foundation
import Models
import Tokenization
import XCTest
@testable import AttuneServer

/// `fallback ood`: out-of-distribution requests go to the base model, counted in `/metrics` and
/// marked in the log; the `ood_rate` rollback rule; the rollout file's `fallback` and `novelty`.
final class FallbackTests: XCTestCase {
    static let reference = (0..<24).map { "Where is my order \($0)? It should have arrived on day \($0 % 7) of the week." }
    static let calibrationTexts = (30..<50).map { "Where is my order \($0)? It should have arrived on day \($0 % 5) of the week." }
    static let outOfDistribution = "Quarterly compliance audit: export the archived ledgers of 2019 as signed PDFs."

    /// A calibration of the tiny model on order questions (20% false-alarm target), and the
    /// calibration text that scores lowest (an in-distribution request that must not fall back).
    func calibration() throws -> (NoveltyCalibration, inDistribution: String) {
        let model = try tinyModel()
        let index = MinHashIndex(texts: Self.reference)
        let perplexities = Self.calibrationTexts.map { model.perplexity(of: $0)! }
        let distances = Self.calibrationTexts.map(index.distance(to:))
        let c = try NoveltyCalibration(perplexities: perplexities, distances: distances, falseAlarmTarget: 0.2,
                                       setName: "val", referenceName: "train", modelName: "tiny", referenceSignatures: index.signatures)
        let scores = zip(perplexities, distances).map { c.score(perplexity: $0, distance: $1) }
        let lowest = scores.indices.min { scores[$0] < scores[$1] }!
        XCTAssertFalse(c.isNovel(scores[lowest]))
        XCTAssertEqual(index.distance(to: Self.outOfDistribution), 1, "the planted request shares no shingle with the orders")
        return (c, Self.calibrationTexts[lowest])
    }

    func testOutOfDistributionRequestsGoToTheBaseModel() async throws {
        let folder = try temporaryFolder(self)
        let adapter = try saveTinyAdapter(to: folder.appendingPathComponent("cand"), seed: 11)
        let log = folder.appendingPathComponent("requests.jsonl").path
        let server = try await startServer(adapters: [("cand", adapter)], configure: { $0.logPath = log })
        let (c, inDistribution) = try calibration()
        // Every request goes to the candidate (a canary of 100%) unless it is out of distribution.
        try server.server.setRollout(try RolloutPlan(mode: .canary, candidate: "cand", share: 1,
                                                     fallback: try OutOfDistributionFallback(calibration: c)))
        func ask(_ text: String) async throws -> String? {
            let reply = try await server.post("/v1/chat/completions", chatBody(text, maxTokens: 10))
            XCTAssertEqual(reply.status, 200, reply.body)
            return try reply.json["choices"]?[0]?["message"]?["content"]?.stringValue
        }
        let tunedInDistribution = try referenceReply([ChatMessage(role: "user", content: inDistribution)], adapterFolder: adapter, maxTokens: 10).text
        let baseOOD = try referenceReply([ChatMessage(role: "user", content: Self.outOfDistribution)], maxTokens: 10).text
        let tunedOOD = try referenceReply([ChatMessage(role: "user", content: Self.outOfDistribution)], adapterFolder: adapter, maxTokens: 10).text
        XCTAssertNotEqual(baseOOD, tunedOOD, "the adapter changes the reply, so the test can tell the sides apart")

        let first = try await ask(inDistribution)
        XCTAssertEqual(first, tunedInDistribution, "an in-distribution request goes to the adapter")
        let second = try await ask(Self.outOfDistribution)
        XCTAssertEqual(second, baseOOD, "an out-of-distribution request goes to the base model")

        let entries = try RequestLog.read(path: log).entries
        XCTAssertEqual(entries.map { $0["role"]?.stringValue }, ["canary", "fallback"])
        XCTAssertEqual(entries.map { $0["model"]?.stringValue }, ["cand", "base"])
        XCTAssertEqual(entries[1]["novelty"]?.numberValue, 1)
        let inScore = try XCTUnwrap(entries[0]["novelty"]?.numberValue)
        XCTAssertLessThanOrEqual(inScore, c.threshold + 1e-4)
        let metrics = try await server.get("/metrics").body
        for line in ["attune_rollout_requests_total{role=\"fallback\"} 1", "attune_rollout_requests_total{role=\"canary\"} 1",
                     "attune_rollout_novelty_scored_total 2", "attune_rollout_out_of_distribution_total 1",
                     "attune_rollout_novelty_threshold \(JSONValue.numberText(c.threshold))"] {
            XCTAssertTrue(metrics.contains(line + "\n"), "\(line) in\n\(metrics)")
        }
        // A threshold of 1 lets nothing fall back (no score exceeds 1).
        try server.server.setRollout(try RolloutPlan(mode: .canary, candidate: "cand", share: 1,
                                                     fallback: try OutOfDistributionFallback(calibration: c, threshold: 1)))
        let third = try await ask(Self.outOfDistribution)
        XCTAssertEqual(third, tunedOOD)
    }

    func testOutOfDistributionRateRuleFiresOnItsWindowAndNotOnTheComplement() throws {
        let rule = try RollbackRule(parsing: "ood_rate > 0.25 over 8")
        XCTAssertEqual(rule.description, "ood_rate > 0.25 over 8")
        XCTAssertEqual(rule.fires(on: [RolloutObservation](), novelFlags: [true, true, true] + Array(repeating: false, count: 5)), 0.375)
        XCTAssertNil(rule.fires(on: [RolloutObservation](), novelFlags: [true, true] + Array(repeating: false, count: 6)), "0.25 is not above 0.25")
        XCTAssertNil(rule.fires(on: [RolloutObservation](), novelFlags: Array(repeating: true, count: 7)), "a window not yet full judges nothing")
        XCTAssertNil(rule.fires(on: [RolloutObservation](), novelFlags: Array(repeating: true, count: 4) + Array(repeating: false, count: 8)),
                     "only the last 8 count")

        // Through the controller: scores above the threshold fall back, and the rule fires on the
        // request that makes the window's rate pass it; after that every other request goes to the primary.
        let (c, _) = try calibration()
        let controller = RolloutController()
        controller.set(try RolloutPlan(mode: .canary, candidate: "cand", share: 1, rules: [try RollbackRule(parsing: "ood_rate >= 0.5 over 4")],
                                       fallback: try OutOfDistributionFallback(calibration: c)))
        let loaded: (String) -> Bool = { _ in true }
        XCTAssertEqual(controller.decide(model: nil, key: "a", novelty: 0, loaded: loaded).route, .canary("cand"))
        XCTAssertEqual(controller.decide(model: nil, key: "a", novelty: 1, loaded: loaded).route, .fallback)
        XCTAssertEqual(controller.decide(model: nil, key: "a", novelty: 0, loaded: loaded).route, .canary("cand"))
        let fourth = controller.decide(model: nil, key: "a", novelty: 1, loaded: loaded)
        XCTAssertEqual(fourth.route, .fallback, "out of distribution still goes to the base model")
        XCTAssertEqual(fourth.fired?.text, "ood_rate >= 0.5 over 4 fired at 0.5")
        XCTAssertEqual(controller.decide(model: nil, key: "a", novelty: 0, loaded: loaded).route, .primary(shadow: nil), "rolled back")
        XCTAssertEqual(controller.decide(model: "other", key: "a", novelty: 1, loaded: loaded).route, .asked, "only the rollout's requests")

        XCTAssertThrowsError(try RolloutPlan(mode: .shadow, candidate: "cand", rules: [rule])) {
            XCTAssertTrue("\($0)".contains("needs novelty scores"), "\($0)")
        }
    }

    func testRolloutFileFallbackAndItsErrors() throws {
        let folder = try temporaryFolder(self)
        let (c, _) = try calibration()
        try c.json.text(.minimal).write(to: folder.appendingPathComponent("novelty.json"), atomically: true, encoding: .utf8)
        func plan(_ text: String) throws -> RolloutPlan {
            let url = folder.appendingPathComponent("rollout.json")
            try text.write(to: url, atomically: true, encoding: .utf8)
            return try RolloutPlan.read(path: url.path)
        }
        let calibrated = try plan(#"{"mode": "canary", "candidate": "tuned", "share": "100%", "fallback": "ood threshold=calibrated", "novelty": "novelty.json", "rollback": ["ood_rate > 0.3 over 50"]}"#)
        XCTAssertEqual(calibrated.fallback?.threshold, c.threshold)
        XCTAssertEqual(calibrated.fallback?.calibration, c)
        XCTAssertTrue(calibrated.summary.hasSuffix("· fallback ood threshold=calibrated (\(JSONValue.numberText(c.threshold)))"), calibrated.summary)
        XCTAssertEqual(try plan(#"{"mode": "shadow", "candidate": "t", "fallback": "ood threshold=0.99", "novelty": "novelty.json"}"#).fallback?.threshold, 0.99)
        XCTAssertNil(try plan(#"{"mode": "shadow", "candidate": "t", "fallback": "ood", "novelty": "novelty.json"}"#).fallback?.fixedThreshold)
        try "{\"x\": 1}".write(to: folder.appendingPathComponent("bad.json"), atomically: true, encoding: .utf8)
        let errors: [(String, String)] = [
            (#"{"mode": "shadow", "candidate": "t", "fallback": "ood"}"#, "'fallback' needs 'novelty'"),
            (#"{"mode": "shadow", "candidate": "t", "novelty": "novelty.json"}"#, "'novelty' is given without 'fallback'"),
            (#"{"mode": "shadow", "candidate": "t", "fallback": "ood threshold=high", "novelty": "novelty.json"}"#, "is not calibrated or a number between 0 and 1"),
            (#"{"mode": "shadow", "candidate": "t", "fallback": "odd", "novelty": "novelty.json"}"#, "write the fallback as"),
            (#"{"mode": "shadow", "candidate": "t", "fallback": "ood", "novelty": "none.json"}"#, "cannot read the novelty calibration"),
            (#"{"mode": "shadow", "candidate": "t", "fallback": "ood", "novelty": "bad.json"}"#, "not a novelty calibration"),
            (#"{"mode": "shadow", "candidate": "t", "rollback": ["ood_rate > 0.3 over 50"]}"#, "needs novelty scores"),
        ]
        for (text, message) in errors {
            XCTAssertThrowsError(try plan(text), text) { error in
                XCTAssertTrue("\(error)".contains(message), "\(text): \(error)")
                XCTAssertTrue("\(error)".contains("rollout.json"), "names the file: \(error)")
            }
        }
    }
}
