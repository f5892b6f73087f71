import Foundation

/// What one request may ask of the server. Each limit is answered with an OpenAI error body and
/// its HTTP status (413, 400, 429, 504) instead of being served.
public struct ServerLimits: Sendable, Equatable {
    /// Largest request body in bytes (413 above it).
    public var maxBodyBytes = 1 << 20
    /// Most prompt tokens after the chat template (400 `context_length_exceeded` above it);
    /// nil: the model's context less one.
    public var maxPromptTokens: Int?
    /// Largest `max_tokens` a request may ask for (400 above it).
    public var maxTokens = 4096
    /// `max_tokens` when a request does not say (cut to what the context still holds).
    public var defaultMaxTokens = 256
    /// Generation requests admitted at once, streaming or not, queued or running (429 above it).
    public var maxConcurrentRequests = 16
    /// Seconds from a request's arrival to its last token, queueing included (504 after it).
    public var requestTimeout: Double = 300

    public init() {}

    /// Checks every limit is positive; the message names the option.
    public func validate() throws {
        func fail(_ option: String, _ value: String) -> ServerSetupError {
            ServerSetupError("\(option) must be positive (got \(value))")
        }
        if maxBodyBytes < 1 { throw fail("--max-body-bytes", "\(maxBodyBytes)") }
        if let maxPromptTokens, maxPromptTokens < 1 { throw fail("--max-prompt-tokens", "\(maxPromptTokens)") }
        if maxTokens < 1 { throw fail("--max-tokens", "\(maxTokens)") }
        if defaultMaxTokens < 1 { throw fail("the default max_tokens", "\(defaultMaxTokens)") }
        if maxConcurrentRequests < 1 { throw fail("--max-concurrent", "\(maxConcurrentRequests)") }
        if !(requestTimeout >= 0) || !requestTimeout.isFinite { throw fail("--request-timeout", "\(requestTimeout)") }
    }
}

/// A problem with how the server was asked to start (options, model, adapters), with the fix.
public struct ServerSetupError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
