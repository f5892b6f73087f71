import Essentials
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The request log: one JSON object per line, appended with a single `write` per request (so
/// the line is in the file as soon as the request ends, and a killed server leaves at most one
/// partial last line), renamed to `FILE.1` once it passes the rotation size (`FILE.1` → `FILE.2`
/// …, the oldest dropped).
///
/// Each line is also a chat example (`messages` ending with the assistant's reply), so
/// `data load "FILE"` reads the traffic for `eval`, `compare` and `review`.
public final class RequestLog: Sendable {
    public let path: String
    let rotationBytes: Int
    let keep: Int
    private struct File { var descriptor: Int32; var size: Int }
    private let file: Mutex<File?>

    /// Opens (creating) `path` for appending; the error names the path and the reason. A last
    /// line cut off by a kill is ended first (it stays one invalid line).
    public init(path: String, rotationBytes: Int = 64 << 20, keep: Int = 3) throws {
        self.path = path
        self.rotationBytes = rotationBytes
        self.keep = keep
        file = Mutex(try Self.open(path))
    }

    private static func open(_ path: String) throws -> File {
        let fd = Glibc.open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ServerSetupError("cannot open the request log \(path): \(String(cString: strerror(errno))); give --log a writable file")
        }
        var info = stat()
        var size = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
        // A line cut off by a kill: end it, so the next entry starts on a line of its own.
        var last: UInt8 = 0
        if size > 0, pread(fd, &last, 1, off_t(size - 1)) == 1, last != UInt8(ascii: "\n") {
            var newline = UInt8(ascii: "\n")
            if Glibc.write(fd, &newline, 1) == 1 { size += 1 }
        }
        return File(descriptor: fd, size: size)
    }

    /// Appends `entry` as one line, rotating first when the line would pass the rotation size.
    public func append(_ entry: JSONValue) throws {
        let line = Array((entry.text + "\n").utf8)
        try file.withLock { current in
            if current == nil { current = try Self.open(path) }
            if current!.size > 0, current!.size + line.count > rotationBytes {
                Glibc.close(current!.descriptor)
                current = nil
                rotate()
                current = try Self.open(path)
            }
            var written = 0
            while written < line.count {
                let n = line.withUnsafeBytes { Glibc.write(current!.descriptor, $0.baseAddress! + written, line.count - written) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ServerSetupError("cannot write the request log \(path): \(String(cString: strerror(errno)))")
                }
                written += n
            }
            current!.size += line.count
        }
    }

    /// `FILE.(keep-1)` → `FILE.keep`, …, `FILE` → `FILE.1`.
    private func rotate() {
        let fm = FileManager.default
        try? fm.removeItem(atPath: "\(path).\(keep)")
        if keep > 1 {
            for n in stride(from: keep - 1, through: 1, by: -1) where fm.fileExists(atPath: "\(path).\(n)") {
                Glibc.rename("\(path).\(n)", "\(path).\(n + 1)")
            }
        }
        Glibc.rename(path, "\(path).1")
    }

    public func close() {
        file.withLock { current in
            if let open = current { Glibc.close(open.descriptor) }
            current = nil
        }
    }

    deinit { close() }
}

extension RequestLog {
    /// A log read back: the entries of every complete line, and what was wrong with the rest.
    public struct Contents: Sendable {
        public var entries: [JSONValue]
        /// Lines (1-based) that are complete but not a JSON object.
        public var invalidLines: [Int]
        /// Bytes after the last newline: a line cut off when the server was killed mid-write.
        public var truncatedTail: Int
    }

    /// Reads a request log up to its last complete line.
    public static func read(path: String) throws -> Contents {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServerSetupError("cannot read the request log \(path)")
        }
        var entries = [JSONValue](), invalid = [Int]()
        let bytes = [UInt8](data)
        var start = 0, line = 0
        while let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            line += 1
            let slice = Data(bytes[start..<end])
            if case .object? = try? JSONValue.parse(slice) { entries.append(try JSONValue.parse(slice)) } else { invalid.append(line) }
            start = end + 1
        }
        return Contents(entries: entries, invalidLines: invalid, truncatedTail: bytes.count - start)
    }
}

/// The log line of one generation request.
struct RequestLogEntry {
    var time: Date
    var id: String
    var route: String
    /// `base` or the adapter name.
    var model: String
    /// The request's messages (a completion's prompt as one user turn).
    var messages: [(role: String, content: String)]
    var reply: String
    var finishReason: String
    var promptTokens: Int
    var completionTokens: Int
    var latencySeconds: Double
    var temperature: Double
    var seed: UInt64
    /// `primary`, `canary`, `shadow` or `fallback` (out of distribution: the base model answered) under a rollout.
    var role: String?
    /// The request's novelty score, under a rollout with `fallback ood`.
    var novelty: Double?
    /// The rollback rule this reply made fire.
    var rollback: RolloutController.Rollback?

    var json: JSONValue {
        let turns = (messages + [(role: "assistant", content: reply)]).map { m -> JSONValue in
            ["role": .string(m.role), "content": .string(m.content)]
        }
        var fields: [(String, JSONValue)] = [
            ("time", .string(Self.timeText(time))), ("id", .string(id)), ("route", .string(route)), ("model", .string(model))]
        if let role { fields.append(("role", .string(role))) }
        if let novelty { fields.append(("novelty", .number((novelty * 10_000).rounded() / 10_000))) }
        fields += [("messages", .array(turns)), ("reply", .string(reply)), ("finish_reason", .string(finishReason)),
                   ("prompt_tokens", .int(promptTokens)), ("completion_tokens", .int(completionTokens)),
                   ("latency_ms", .number((latencySeconds * 10_000).rounded() / 10)), ("temperature", .number(temperature)),
                   ("seed", .string(String(seed)))]
        if let rollback { fields.append(("rollback", Self.rollbackJSON(rollback))) }
        return .object(fields)
    }

    /// `{"rule": "schema_valid < 0.8 over 50", "metric": "schema_valid", "value": 0.74, "window": 50}`.
    static func rollbackJSON(_ rollback: RolloutController.Rollback) -> JSONValue {
        ["rule": .string(rollback.rule.description), "metric": .string(rollback.rule.metric.rawValue),
         "value": .number(rollback.value), "threshold": .number(rollback.rule.threshold), "window": .int(rollback.rule.window)]
    }

    /// `2026-11-20T16:30:07.123Z`.
    static func timeText(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
