import Essentials
import Foundation
import Hummingbird

/// Reads a request body up to the server's limit. A larger body is read to its end and dropped
/// (so the 413 reaches a client still sending) up to `drainLimit`, beyond which the connection is
/// given up.
enum RequestBodyReader {
    static let drainLimit = 256 << 20

    static func read(_ request: Request, limit: Int) async throws -> Data {
        let declared = request.headers[.contentLength].flatMap(Int.init)
        var data = Data()
        var total = 0
        var tooLarge = declared.map { $0 > limit } ?? false
        for try await chunk in request.body {
            total += chunk.readableBytes
            if !tooLarge, total > limit { tooLarge = true; data = Data() }
            if !tooLarge { data.append(contentsOf: chunk.readableBytesView) }
            if total > drainLimit { break }
        }
        if tooLarge { throw APIError.bodyTooLarge(declared ?? total, limit: limit) }
        return data
    }

    /// The body as JSON, or 400 saying where parsing failed.
    static func json(_ request: Request, limit: Int) async throws -> JSONValue {
        let data = try await read(request, limit: limit)
        guard !data.isEmpty else {
            throw APIError.invalid("The request body is empty; send a JSON object (Content-Type: application/json)", code: "invalid_json")
        }
        do { return try JSONValue.parse(data) } catch {
            throw APIError.invalid("The request body is not valid JSON: \(describe(error))", code: "invalid_json")
        }
    }

    /// What is wrong and where, e.g. `a value was expected, found '}' at byte 14`.
    static func describe(_ error: any Error) -> String {
        if let parse = error as? JSONParseError { return "\(parse.message) at byte \(parse.offset)" }
        return "\(error)"
    }
}
