import Essentials
import Foundation
import Synchronization

/// Counters for `GET /metrics`, written in Prometheus' text format (version 0.0.4):
/// requests and errors by route and status, prompt and completion tokens, generation latency as a
/// histogram, and the engine's queue.
final class ServerMetrics: Sendable {
    /// Upper bounds (seconds) of the latency histogram's buckets; `+Inf` follows.
    static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]

    private struct State {
        var requests: [RouteStatus: Int] = [:]
        var streamFailures: [String: Int] = [:]
        var disconnects = 0
        var promptTokens = 0
        var completionTokens = 0
        var bucketCounts = [Int](repeating: 0, count: ServerMetrics.latencyBuckets.count)
        var latencyCount = 0
        var latencySum = 0.0
        var constrainedTokens = 0
        var maskSeconds = 0.0
    }

    struct RouteStatus: Hashable { var route: String; var status: Int }

    private let state = Mutex(State())

    init() {}

    /// One answered HTTP request (`route` is the route's pattern or `unknown`).
    func recordRequest(route: String, status: Int) {
        state.withLock { $0.requests[RouteStatus(route: route, status: status), default: 0] += 1 }
    }

    /// One finished generation: its tokens and seconds from arrival to last token.
    func recordGeneration(promptTokens: Int, completionTokens: Int, seconds: Double) {
        state.withLock { s in
            s.promptTokens += promptTokens
            s.completionTokens += completionTokens
            s.latencyCount += 1
            s.latencySum += seconds
            for (i, bound) in Self.latencyBuckets.enumerated() where seconds <= bound { s.bucketCounts[i] += 1 }
        }
    }

    /// Tokens generated under `response_format` and the seconds their masks took.
    func recordConstrained(tokens: Int, maskSeconds: Double) {
        state.withLock { s in
            s.constrainedTokens += tokens
            s.maskSeconds += maskSeconds
        }
    }

    /// A stream that ended without its reply after the 200 went out (`timeout`, `disconnected`).
    func recordStreamFailure(_ reason: String) {
        state.withLock { $0.streamFailures[reason, default: 0] += 1 }
    }

    /// A client closed its connection while its generation request was in flight.
    func recordDisconnect() { state.withLock { $0.disconnects += 1 } }

    /// Requests answered with `status` on `route` so far (tests and `serve status`).
    func requests(route: String, status: Int) -> Int {
        state.withLock { $0.requests[RouteStatus(route: route, status: status)] ?? 0 }
    }

    /// The exposition text. `admitted` and `waiting` come from the engine at scrape time.
    func prometheusText(admitted: Int, waiting: Int, adapters: Int) -> String {
        let s = state.withLock { $0 }
        var out = ""
        func header(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func label(_ s: String) -> String {
            s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
        }
        let keys = s.requests.keys.sorted { ($0.route, $0.status) < ($1.route, $1.status) }
        header("attune_http_requests_total", "counter", "HTTP requests answered, by route and status code.")
        for key in keys { out += "attune_http_requests_total{route=\"\(label(key.route))\",code=\"\(key.status)\"} \(s.requests[key]!)\n" }
        header("attune_http_errors_total", "counter", "HTTP requests answered with a 4xx or 5xx status, by route and status code.")
        for key in keys where key.status >= 400 {
            out += "attune_http_errors_total{route=\"\(label(key.route))\",code=\"\(key.status)\"} \(s.requests[key]!)\n"
        }
        header("attune_stream_failures_total", "counter", "Streams that ended early after the 200 was sent, by reason.")
        for reason in s.streamFailures.keys.sorted() { out += "attune_stream_failures_total{reason=\"\(reason)\"} \(s.streamFailures[reason]!)\n" }
        header("attune_client_disconnects_total", "counter", "Clients that closed the connection while their generation was queued or running.")
        out += "attune_client_disconnects_total \(s.disconnects)\n"
        header("attune_prompt_tokens_total", "counter", "Prompt tokens of finished generations.")
        out += "attune_prompt_tokens_total \(s.promptTokens)\n"
        header("attune_completion_tokens_total", "counter", "Generated tokens of finished generations.")
        out += "attune_completion_tokens_total \(s.completionTokens)\n"
        header("attune_request_duration_seconds", "histogram", "Seconds from a generation request's arrival to its last token.")
        for (i, bound) in Self.latencyBuckets.enumerated() {
            out += "attune_request_duration_seconds_bucket{le=\"\(JSONValue.numberText(bound))\"} \(s.bucketCounts[i])\n"
        }
        out += "attune_request_duration_seconds_bucket{le=\"+Inf\"} \(s.latencyCount)\n"
        out += "attune_request_duration_seconds_sum \(s.latencySum)\n"
        out += "attune_request_duration_seconds_count \(s.latencyCount)\n"
        header("attune_constrained_tokens_total", "counter", "Tokens generated under response_format (JSON enforced while decoding).")
        out += "attune_constrained_tokens_total \(s.constrainedTokens)\n"
        header("attune_constrained_mask_seconds_total", "counter", "Seconds spent choosing the tokens response_format allows.")
        out += "attune_constrained_mask_seconds_total \(s.maskSeconds)\n"
        header("attune_queue_length", "gauge", "Engine work items waiting for the model.")
        out += "attune_queue_length \(waiting)\n"
        header("attune_active_requests", "gauge", "Generation requests admitted (queued or running).")
        out += "attune_active_requests \(admitted)\n"
        header("attune_adapters_loaded", "gauge", "Adapters the server holds.")
        out += "attune_adapters_loaded \(adapters)\n"
        return out
    }
}
