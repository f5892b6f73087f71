import Foundation
import XCTest

/// The REPL's serve commands in one session through the built `attune` (`-c`): start on a free
/// port, status, `serve send` (an evaluation value that `compare` takes beside `eval`'s), a
/// rollout, stop; and `serve send`'s errors.
final class ServeSessionTests: XCTestCase {
    func binary() throws -> URL {
        guard let url = attuneBinary() else { throw XCTSkip("the attune executable is not built next to the tests") }
        return url
    }

    /// Three chat examples whose expected replies are JSON objects (so replies are checked).
    func writeTickets(in folder: URL) throws {
        let lines = ["My invoice is wrong", "The app crashes", "Where is my parcel?"].enumerated().map { i, text in
            #"{"messages": [{"role": "user", "content": "\#(text)"}, {"role": "assistant", "content": "{\"category\": \"c\#(i % 2)\"}"}]}"#
        }
        try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("tickets.jsonl"), atomically: true, encoding: .utf8)
    }

    func testStartStatusSendRolloutStopInOneSession() throws {
        let folder = temporaryFolder()
        try writeTickets(in: folder)
        let script = """
            model new tiny
            serve start port=0 log="requests.jsonl"
            serve status
            base = eval on="tickets.jsonl" max=8 loss=false
            live = serve send "tickets.jsonl" max=8
            print "sent {live.count}, valid {live.passed}"
            compare base live
            serve rollout canary share=50% candidate=base
            serve stop
            serve status
            """
        let result = try runBinary(try binary(), ["-c", script, "--keep-going"], in: folder)
        XCTAssertEqual(result.status, 1, "only the rollout line fails (the session has no adapter to try):\n\(result.out)\n\(result.err)")
        let out = result.out
        XCTAssertTrue(out.range(of: #"serving tiny as base on http://127\.0\.0\.1:\d+ · 0 active, 0 queued · log "#, options: .regularExpression) != nil, out)
        XCTAssertTrue(out.contains("eval on tickets.jsonl (3 examples) · base at http://127.0.0.1:"), out)
        XCTAssertTrue(out.contains("schema-valid JSON 0/3"), out)
        XCTAssertTrue(out.contains("sent 3, valid 0"), "the value has eval's fields:\n\(out)")
        XCTAssertTrue(out.contains("identical replies: 3/3"), "the server's replies equal eval's at temperature 0:\n\(out)")
        XCTAssertTrue(result.err.contains("the candidate and the primary are both 'base'"), result.err)
        XCTAssertTrue(out.contains("stopped the server on http://127.0.0.1:"), out)
        XCTAssertTrue(out.contains("not serving (serve start begins)"), out)
        let log = try String(contentsOf: folder.appendingPathComponent("requests.jsonl"), encoding: .utf8)
        XCTAssertEqual(log.split(separator: "\n").count, 3, "one log line per example sent")
    }

    /// `serve rollout … fallback=` needs a calibration (the session's or novelty=FILE) and names a bad fallback.
    func testRolloutFallbackNeedsACalibration() throws {
        let folder = temporaryFolder()
        let script = """
            model new tiny
            serve start port=0
            serve rollout canary share=100% candidate=tuned fallback="ood threshold=calibrated"
            serve rollout canary share=100% candidate=tuned fallback="ood threshold=2" novelty="none.json"
            serve stop
            """
        let result = try runBinary(try binary(), ["-c", script, "--keep-going"], in: folder)
        XCTAssertEqual(result.status, 1, "\(result.out)\n\(result.err)")
        XCTAssertTrue(result.err.contains("fallback needs a novelty calibration: run novelty calibrate on=val first"), result.err)
        XCTAssertTrue(result.err.contains("the threshold '2' is not calibrated or a number between 0 and 1"), result.err)
    }

    /// A second adapter added to the running server, a 50% canary on it, and `serve send user=each`:
    /// the split follows the examples' ids (the same both times), the label says who answered how
    /// many, a fixed user stays on one side, and a shadow's replies are logged when `serve send` returns.
    func testAddedAdapterAndACanaryByEachExampleRepeat() throws {
        let folder = temporaryFolder()
        let lines = (0..<12).map { i in
            #"{"messages": [{"role": "user", "content": "Ticket \#(i) is broken"}, {"role": "assistant", "content": "{\"category\": \"c\#(i % 2)\"}"}]}"#
        }
        try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("tickets.jsonl"), atomically: true, encoding: .utf8)
        let script = """
            model new tiny
            data load "tickets.jsonl"
            method lora r=4 alpha=8
            set lr=1e-2 batch=2 seq=64
            train steps=2
            adapter save "cand"
            serve start port=0 log="requests.jsonl"
            serve adapter "cand" name=cand
            serve rollout canary candidate=cand share=50%
            a = serve send "tickets.jsonl" max=4 user=each
            b = serve send "tickets.jsonl" max=4 user=each
            c = serve send "tickets.jsonl" max=4 user="alice"
            serve rollout shadow candidate=cand
            d = serve send "tickets.jsonl" max=4
            serve adapter "cand" name=cand
            serve adapter "cand"
            serve send "tickets.jsonl" user=""
            serve stop
            serve adapter "cand" name=other
            """
        let result = try runBinary(try binary(), ["-c", script, "--keep-going"], in: folder)
        let out = result.out, err = result.err
        XCTAssertEqual(result.status, 1, "the last five lines fail:\n\(out)\n\(err)")
        XCTAssertTrue(out.contains("serving cand as cand: r=4 alpha=8 · 4 modules · now base + cand, tuned"), out)
        let labels = out.split(separator: "\n").filter { $0.hasPrefix("eval on tickets.jsonl (12 examples) · base at ") }
        XCTAssertEqual(labels.count, 4, out)
        guard labels.count == 4 else { return }
        let split = try XCTUnwrap(labels[0].range(of: #"answered by (cand|base) \d+, (cand|base) \d+$"#, options: .regularExpression),
                                  "a 50% canary over 12 users answers from both sides: \(labels[0])")
        XCTAssertEqual(labels[0][split], labels[1][labels[1].range(of: "answered by ")!.lowerBound...], "user=each repeats the split")
        XCTAssertTrue(labels[2].hasSuffix("answered by cand 12") || !labels[2].contains("answered by"),
                      "one user stays on one side: \(labels[2])")
        XCTAssertFalse(labels[3].contains("answered by"), "in shadow mode the primary answers: \(labels[3])")
        XCTAssertTrue(err.contains("an adapter named 'cand' is already loaded"), err)
        XCTAssertTrue(err.contains("serve adapter needs name=NAME"), err)
        XCTAssertTrue(err.contains("user= must be 1…256 characters"), err)
        XCTAssertTrue(err.contains("no server is running; start one with `serve start`, then add adapters to it"), err)
        let log = try String(contentsOf: folder.appendingPathComponent("requests.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(log.count, 4 * 12 + 12, "four sends and twelve shadow replies, all logged before serve stop")
        XCTAssertEqual(log.filter { $0.contains(#""role":"shadow""#) || $0.contains(#""role": "shadow""#) }.count, 12)
    }

    func testSendErrorsNameTheFix() throws {
        let folder = temporaryFolder()
        try writeTickets(in: folder)
        let none = try runBinary(try binary(), ["-c", "serve send \"tickets.jsonl\""], in: folder)
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.err.contains("no server to send to: start one with `serve start`, or give its address as to=\"http://HOST:PORT\""), none.err)
        let bad = try runBinary(try binary(), ["-c", "serve send \"tickets.jsonl\" to=\"localhost:8080\""], in: folder)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.err.contains("'localhost:8080' is not a server address: write it as http://HOST:PORT"), bad.err)
        // Port 1 (tcpmux) is not served on a test machine: the connection is refused.
        let refused = try runBinary(try binary(), ["-c", "serve send \"tickets.jsonl\" to=\"http://127.0.0.1:1\" max=4"], in: folder)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.err.contains("tickets.jsonl:1: cannot reach http://127.0.0.1:1: nothing listens there (connection refused)"), refused.err)
        let missing = try runBinary(try binary(), ["-c", "serve send \"nope.jsonl\" to=\"http://127.0.0.1:1\""], in: folder)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.err.contains("nope.jsonl is neither a part of the split"), missing.err)
    }
}
