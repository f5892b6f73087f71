import Essentials
import Foundation
import XCTest
@testable import AttuneServer

/// A bounded load on loopback: 8 clients × 50 requests against the tiny model, one in five
/// streamed. Every request succeeds and is in the log under its id; p50 and p95 latency are
/// printed (not asserted: the machine's load decides them).
final class ServerLoadTests: XCTestCase {
    func testEightClientsFiftyRequestsEachAllSucceedAndAreLogged() async throws {
        let clients = 8, perClient = 50
        let folder = try temporaryFolder(self)
        let logPath = folder.appendingPathComponent("load.jsonl").path
        let server = try await startServer { $0.logPath = logPath }
        let start = Date()
        let results = try await withThrowingTaskGroup(of: [(id: String, status: Int, seconds: Double)].self) { group in
            for c in 0..<clients {
                group.addTask {
                    var out = [(id: String, status: Int, seconds: Double)]()
                    for r in 0..<perClient {
                        let stream = r % 5 == 4
                        let body = chatBody("client \(c) request \(r)", maxTokens: 8 + (c + r) % 8,
                                            temperature: r % 2 == 0 ? 0 : 0.8, extra: "\"stream\": \(stream)")
                        let began = Date()
                        let reply = try await server.post("/v1/chat/completions", body)
                        let seconds = Date().timeIntervalSince(began)
                        var id = ""
                        if stream {
                            let events = ServerHarness.events(reply.body)
                            if events.last == "[DONE]", let first = events.first { id = (try? JSONValue.parse(Data(first.utf8)))?["id"]?.stringValue ?? "" }
                        } else {
                            id = (try? reply.json)?["id"]?.stringValue ?? ""
                        }
                        out.append((id, reply.status, seconds))
                    }
                    return out
                }
            }
            var all = [(id: String, status: Int, seconds: Double)]()
            for try await part in group { all += part }
            return all
        }
        let wall = Date().timeIntervalSince(start)
        XCTAssertEqual(results.count, clients * perClient)
        XCTAssertEqual(results.filter { $0.status != 200 }.count, 0, "every request succeeds")
        XCTAssertFalse(results.contains { $0.id.isEmpty }, "every reply has an id (and every stream ends with [DONE])")

        let log = try RequestLog.read(path: logPath)
        XCTAssertEqual(log.invalidLines, [])
        XCTAssertEqual(log.truncatedTail, 0)
        let logged = Set(log.entries.compactMap { $0["id"]?.stringValue })
        XCTAssertEqual(log.entries.count, clients * perClient)
        XCTAssertEqual(logged, Set(results.map(\.id)), "every request is in the log under its id")
        do { let value = try await server.metric("attune_request_duration_seconds_count"); XCTAssertEqual(value, Double(clients * perClient)) }
        do { let value = try await server.metric("attune_active_requests"); XCTAssertEqual(value, 0) }

        let sorted = results.map(\.seconds).sorted()
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)] }
        print(String(format: "serve load: %d clients × %d requests in %.2f s (%.0f requests/s) · latency p50 %.1f ms · p95 %.1f ms · max %.1f ms",
                     clients, perClient, wall, Double(results.count) / wall, percentile(0.5) * 1000, percentile(0.95) * 1000, sorted.last! * 1000))
    }
}
