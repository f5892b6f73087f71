import Essentials
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An error as the OpenAI API writes it: `{"error": {"message", "type", "param", "code"}}` with
/// the HTTP status that goes with it. Thrown anywhere in a handler, it becomes the response.
public struct APIError: Error, HTTPResponseError, CustomStringConvertible, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    /// `invalid_request_error`, `authentication_error`, `rate_limit_error`, `timeout_error`, `server_error`.
    public var type: String
    /// The request field at fault (`max_tokens`), when there is one.
    public var param: String?
    /// A stable machine-readable code (`model_not_found`, `context_length_exceeded`, …).
    public var code: String?

    public init(_ status: HTTPResponse.Status, _ message: String, type: String = "invalid_request_error",
                param: String? = nil, code: String? = nil) {
        self.status = status; self.message = message; self.type = type; self.param = param; self.code = code
    }

    public var description: String { "\(status.code) \(code ?? type): \(message)" }
    public var headers: HTTPFields { [.contentType: "application/json"] }

    /// The JSON body (also sent as a server-sent event when a stream fails after it started).
    public var json: JSONValue {
        ["error": ["message": .string(message), "type": .string(type), "param": .optional(param), "code": .optional(code)]]
    }

    public var bodyText: String { json.text }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: bodyText)))
    }
}

extension APIError {
    static func invalid(_ message: String, param: String? = nil, code: String? = "invalid_value") -> APIError {
        APIError(.badRequest, message, param: param, code: code)
    }

    static func modelNotFound(_ name: String, available: [String]) -> APIError {
        APIError(.notFound, "The model '\(name)' does not exist on this server; models: \(available.joined(separator: ", ")) (GET /v1/models lists them)",
                 param: "model", code: "model_not_found")
    }

    static func bodyTooLarge(_ bytes: Int?, limit: Int) -> APIError {
        let size = bytes.map { "\($0) bytes" } ?? "more than \(limit) bytes"
        return APIError(.contentTooLarge, "The request body is \(size); this server takes at most \(limit) bytes (--max-body-bytes)",
                        code: "request_too_large")
    }

    static func busy(limit: Int) -> APIError {
        APIError(.tooManyRequests, "The server is already handling \(limit) generation requests (--max-concurrent); retry shortly",
                 type: "rate_limit_error", code: "too_many_concurrent_requests")
    }

    static func timedOut(seconds: Double) -> APIError {
        APIError(.gatewayTimeout, "The request took longer than \(JSONValue.numberText(seconds)) seconds (--request-timeout)",
                 type: "timeout_error", code: "request_timeout")
    }

    static func notFound(method: HTTPRequest.Method, path: String) -> APIError {
        APIError(.notFound, "Unknown route \(method.rawValue) \(path); routes: POST /v1/chat/completions, POST /v1/completions, "
                 + "GET /v1/models, POST /v1/adapters, DELETE /v1/adapters/NAME, GET /health, GET /metrics", code: "unknown_route")
    }

    static func methodNotAllowed(method: HTTPRequest.Method, path: String, allowed: String) -> APIError {
        APIError(.methodNotAllowed, "\(path) takes \(allowed), not \(method.rawValue)", code: "method_not_allowed")
    }

    static let unauthorized = APIError(.unauthorized, "Missing or wrong API key: send the header 'Authorization: Bearer KEY' with the server's --api-key",
                                       type: "authentication_error", code: "invalid_api_key")
}
