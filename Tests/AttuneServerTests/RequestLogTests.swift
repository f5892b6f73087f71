import Datasets
import Foundation
import Tokenization
import XCTest
@testable import AttuneServer

/// The request log: one line per generation with what was asked and answered, readable by
/// `data load` as chat data, rotated by size, and readable up to its last complete line after a
/// kill mid-write.
final class RequestLogTests: XCTestCase {
    func testEveryGenerationIsALineThatDataLoadReadsAsChat() async throws {
        let folder = try temporaryFolder(self)
        let logPath = folder.appendingPathComponent("requests.jsonl").path
        let server = try await startServer { $0.logPath = logPath }
        let chat = try await server.post("/v1/chat/completions",
                                          #"{"messages": [{"role": "system", "content": "Triage."}, {"role": "user", "content": "Login fails"}], "temperature": 0, "max_tokens": 20}"#)
        let chatJSON = try chat.json
        let streamed = try await server.post("/v1/chat/completions", chatBody("Second", maxTokens: 12, extra: "\"stream\": true, \"seed\": 5"))
        XCTAssertEqual(streamed.status, 200)
        let completion = try await server.post("/v1/completions", #"{"prompt": "Once", "max_tokens": 10, "temperature": 0}"#)
        XCTAssertEqual(completion.status, 200)
        _ = try await server.post("/v1/chat/completions", chatBody("bad", maxTokens: -1))  // rejected: not a generation, not logged

        let contents = try RequestLog.read(path: logPath)
        XCTAssertEqual(contents.entries.count, 3)
        XCTAssertEqual(contents.truncatedTail, 0)
        XCTAssertEqual(contents.invalidLines, [])
        let first = contents.entries[0]
        XCTAssertEqual(first["id"], chatJSON["id"])
        XCTAssertEqual(first["route"], "/v1/chat/completions")
        XCTAssertEqual(first["model"], "base")
        let reply = try XCTUnwrap(chatJSON["choices"]?[0]?["message"]?["content"]?.stringValue)
        XCTAssertEqual(first["reply"]?.stringValue, reply)
        XCTAssertEqual(first["messages"], [["role": "system", "content": "Triage."], ["role": "user", "content": "Login fails"],
                                           ["role": "assistant", "content": .string(reply)]])
        XCTAssertEqual(first["finish_reason"], chatJSON["choices"]?[0]?["finish_reason"])
        XCTAssertEqual(first["prompt_tokens"], chatJSON["usage"]?["prompt_tokens"])
        XCTAssertEqual(first["completion_tokens"], chatJSON["usage"]?["completion_tokens"])
        XCTAssertEqual(first["temperature"], 0)
        XCTAssertNotNil(first["latency_ms"]?.numberValue)
        XCTAssertNotNil(ISO8601DateFormatter.withFractions.date(from: first["time"]?.stringValue ?? ""), "time is ISO 8601")
        XCTAssertEqual(contents.entries[1]["seed"], "5")
        XCTAssertEqual(contents.entries[2]["route"], "/v1/completions")
        XCTAssertEqual(contents.entries[2]["messages"]?[0], ["role": "user", "content": "Once"])

        // `data load` reads the log as chat data: every line one conversation ending with the reply.
        let lines = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n")
        let nonEmpty = contents.entries.filter { !($0["reply"]?.stringValue ?? "").allSatisfy(\.isWhitespace) }.count
        let dataset = try DatasetLoader.load(path: logPath, mode: .lenient)
        XCTAssertEqual(dataset.format, .chat)
        XCTAssertEqual(dataset.count, nonEmpty, "each line with a reply is an example; skipped: \(dataset.skipped)")
        XCTAssertEqual(dataset.count + dataset.skipped.count, lines.count)
        if case .chat(let messages)? = dataset.examples.first?.content, first["reply"]?.stringValue?.allSatisfy(\.isWhitespace) == false {
            XCTAssertEqual(messages.map(\.role), ["system", "user", "assistant"])
            XCTAssertEqual(messages.last?.content, reply)
        }
    }

    /// A kill in the middle of a write leaves a partial last line: the reader and `data load`
    /// (lenient) take every complete line before it.
    func testLogCutMidLineParsesUpToItsLastCompleteLine() throws {
        let folder = try temporaryFolder(self)
        let path = folder.appendingPathComponent("requests.jsonl").path
        let log = try RequestLog(path: path)
        for i in 0..<5 { try log.append(entry(i).json) }
        log.close()
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        let lastLineStart = data.dropLast().lastIndex(of: UInt8(ascii: "\n"))! + 1
        data = data.prefix(lastLineStart + (data.count - lastLineStart) / 2)  // half of the fifth line
        try data.write(to: URL(fileURLWithPath: path))

        let contents = try RequestLog.read(path: path)
        XCTAssertEqual(contents.entries.count, 4)
        XCTAssertEqual(contents.entries.map { $0["id"]?.stringValue }, ["r0", "r1", "r2", "r3"])
        XCTAssertGreaterThan(contents.truncatedTail, 0)
        XCTAssertEqual(contents.invalidLines, [])
        let dataset = try DatasetLoader.load(path: path, mode: .lenient)
        XCTAssertEqual(dataset.count, 4)
        XCTAssertEqual(dataset.skipped.count, 1)
        XCTAssertEqual(dataset.skipped.first?.location.line, 5)

        // A restarted server ends the cut line first: it stays one invalid line, the next entry is whole.
        let reopened = try RequestLog(path: path)
        try reopened.append(entry(5).json)
        reopened.close()
        let after = try RequestLog.read(path: path)
        XCTAssertEqual(after.entries.map { $0["id"]?.stringValue }, ["r0", "r1", "r2", "r3", "r5"])
        XCTAssertEqual(after.invalidLines, [5])
        XCTAssertEqual(after.truncatedTail, 0)
    }

    func testLogRotatesBySize() throws {
        let folder = try temporaryFolder(self)
        let path = folder.appendingPathComponent("requests.jsonl").path
        let lineBytes = entry(0).json.text.utf8.count + 1
        let log = try RequestLog(path: path, rotationBytes: lineBytes * 3, keep: 2)
        for i in 0..<10 { try log.append(entry(i).json) }
        log.close()
        func ids(_ file: String) throws -> [String?] { try RequestLog.read(path: file).entries.map { $0["id"]?.stringValue } }
        XCTAssertEqual(try ids(path), ["r9"])
        XCTAssertEqual(try ids(path + ".1"), ["r6", "r7", "r8"])
        XCTAssertEqual(try ids(path + ".2"), ["r3", "r4", "r5"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".3"), "keep=2 drops the oldest")
    }

    func testUnwritableLogIsASetupError() throws {
        XCTAssertThrowsError(try RequestLog(path: "/no/such/folder/requests.jsonl")) { error in
            XCTAssertTrue("\(error)".contains("/no/such/folder/requests.jsonl"), "\(error)")
            XCTAssertTrue("\(error)".contains("--log"), "\(error)")
        }
    }

    func entry(_ i: Int) -> RequestLogEntry {
        RequestLogEntry(time: Date(timeIntervalSince1970: 1_800_000_000 + Double(i)), id: "r\(i)", route: "/v1/chat/completions",
                        model: "base", messages: [("user", "question \(i) with \"quotes\" and ünïcode\nlines")],
                        reply: "answer \(i)", finishReason: "stop", promptTokens: 10 + i, completionTokens: 3,
                        latencySeconds: 0.0123, temperature: 0, seed: 42)
    }
}

extension ISO8601DateFormatter {
    static var withFractions: ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }
}
