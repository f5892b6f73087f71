import Foundation
import Hummingbird

/// Wraps every route: checks the API key on `/v1/…`, turns every error into OpenAI's error JSON
/// (unknown routes, wrong methods, anything unexpected as a 500 without a crash), adds an
/// `x-request-id`, and counts the answer for `/metrics`.
struct APIMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let apiKey: String?
    let metrics: ServerMetrics

    /// The routes and the methods they take (for 405 and 404 messages).
    static let routes: [(path: String, methods: String)] = [
        ("/v1/chat/completions", "POST"), ("/v1/completions", "POST"), ("/v1/models", "GET"),
        ("/v1/adapters", "POST"), ("/v1/adapters/", "DELETE"), ("/health", "GET"), ("/metrics", "GET"),
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        var route = context.endpointPath ?? "unknown"
        if route == "NotFound" { route = "unknown" }
        if let apiKey, request.uri.path.hasPrefix("/v1/"), !Self.authorized(request, key: apiKey) {
            response = try APIError.unauthorized.response(from: request, context: context)
        } else {
            do {
                response = try await next(request, context)
            } catch let error as APIError {
                response = try error.response(from: request, context: context)
            } catch let error as HTTPError where error.status == .notFound {
                response = try Self.unknownRoute(request).response(from: request, context: context)
            } catch let error as any HTTPResponseError {
                let api = APIError(error.status, "\(error.status.reasonPhrase): \(error)", type: error.status.code >= 500 ? "server_error" : "invalid_request_error")
                response = try api.response(from: request, context: context)
            } catch {
                context.logger.error("unexpected error: \(error)")
                response = try APIError(.internalServerError, "The server failed on this request: \(error)", type: "server_error",
                                        code: "internal_error").response(from: request, context: context)
            }
        }
        response.headers[.init("x-request-id")!] = context.id
        metrics.recordRequest(route: route, status: response.status.code)
        return response
    }

    static func authorized(_ request: Request, key: String) -> Bool {
        guard let header = request.headers[.authorization] else { return false }
        let expected = "Bearer \(key)"
        // Compare in constant time over the expected length.
        let a = Array(header.utf8), b = Array(expected.utf8)
        var difference = a.count ^ b.count
        for i in 0..<b.count { difference |= Int((i < a.count ? a[i] : 0) ^ b[i]) }
        return difference == 0
    }

    /// 405 for a known path with another method, else 404 listing the routes.
    static func unknownRoute(_ request: Request) -> APIError {
        let path = request.uri.path
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        for (known, methods) in routes {
            let matches = known.hasSuffix("/") ? trimmed.hasPrefix(known) && trimmed.count > known.count : trimmed == known
            if matches { return .methodNotAllowed(method: request.method, path: path, allowed: methods) }
        }
        return .notFound(method: request.method, path: path)
    }
}
