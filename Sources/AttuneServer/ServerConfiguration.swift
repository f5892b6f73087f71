import Foundation

/// How `attune serve` listens, what it admits and where it logs.
public struct ServerConfiguration: Sendable {
    /// Address to bind (`127.0.0.1`, `::1`, `0.0.0.0`, a host name).
    public var host = "127.0.0.1"
    /// Port to bind; 0 asks the system for a free one (read it back from `RunningServer.port`).
    public var port = 8080
    /// Clients must send `Authorization: Bearer KEY` on `/v1/…` routes when set; required when
    /// `host` is not a loopback address.
    public var apiKey: String?
    /// The request log (JSON lines), or nil for none.
    public var logPath: String?
    /// The log is renamed to `FILE.1` (older ones shift to `.2`, `.3`) once it passes this size.
    public var logRotationBytes = 64 << 20
    /// Rotated files kept beside the current one.
    public var logRotationKeep = 3
    public var limits = ServerLimits()
    /// Seed of the sampling generators of requests that give no `seed` (request k draws from
    /// `SplitMix64.scramble(seed + k)`), so a restarted server samples the same sequence.
    public var seed: UInt64 = 42
    /// Most generation requests decoded together, one pass over the weights per token for all of
    /// them (continuous batching); 1 decodes one request at a time. At most `maxBatchLimit`.
    public var maxBatch = 4
    public static let maxBatchLimit = 64

    public init(host: String = "127.0.0.1", port: Int = 8080, apiKey: String? = nil, logPath: String? = nil) {
        self.host = host; self.port = port; self.apiKey = apiKey; self.logPath = logPath
    }

    /// Whether `host` names this machine only (`127.x.x.x`, `::1`, `localhost`).
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// Checks the options fit together; messages name the option and the fix.
    public func validate() throws {
        guard (0...65535).contains(port) else { throw ServerSetupError("--port must be 0…65535 (got \(port))") }
        if host.isEmpty { throw ServerSetupError("--host is empty; give an address such as 127.0.0.1") }
        if let apiKey, apiKey.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ServerSetupError("--api-key is empty; give the key clients must send as 'Authorization: Bearer KEY'")
        }
        if apiKey == nil, !Self.isLoopback(host) {
            throw ServerSetupError("--host \(host) is reachable from other machines: give --api-key KEY (clients then send "
                                   + "'Authorization: Bearer KEY'), or serve on 127.0.0.1")
        }
        if logRotationBytes < 1024 { throw ServerSetupError("the log rotation size must be at least 1024 bytes (got \(logRotationBytes))") }
        if logRotationKeep < 1 { throw ServerSetupError("the log must keep at least one rotated file (got \(logRotationKeep))") }
        if !(1...Self.maxBatchLimit).contains(maxBatch) {
            throw ServerSetupError("--max-batch must be 1…\(Self.maxBatchLimit) (got \(maxBatch)); 1 decodes one request at a time")
        }
        try limits.validate()
    }
}
