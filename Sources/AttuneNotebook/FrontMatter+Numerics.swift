/// The `numerics` key: how the engine ordered floating-point sums when the notebook was recorded
/// (DESIGN §5), `{"mode": "reproducible", "kernels": "avx512", "threads": 2, "cpu": "…"}`.
///
/// `mode` is the mode at the start of the recording (a later `set numerics=…` is a cell like any
/// other); the rest says which machine ran it. A notebook without the key was recorded before the
/// modes existed, with OpenBLAS: what is now `fast`.
public struct NumericsInfo: Sendable, Equatable {
    /// `reproducible`, `fast` or `bf16` (kept as text: this module does not know the engine's modes).
    public var mode: String
    /// The vector path of Attune's kernels: `avx512`, `avx2` or `portable`.
    public var kernels: String?
    /// Worker threads.
    public var threads: Int?
    /// `GenuineIntel family 6 model 143`.
    public var cpu: String?

    /// The mode a notebook without the key was recorded in.
    public static let modeBeforeModes = "fast"
    /// The modes a notebook may name (the engine's `NumericsMode` cases; a test keeps them equal).
    public static let modes = ["reproducible", "fast", "bf16"]

    public init(mode: String, kernels: String? = nil, threads: Int? = nil, cpu: String? = nil) {
        self.mode = mode
        self.kernels = kernels
        self.threads = threads
        self.cpu = cpu
    }

    var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [("mode", .string(mode))]
        if let kernels { members.append(("kernels", .string(kernels))) }
        if let threads { members.append(("threads", .number(Double(threads)))) }
        if let cpu { members.append(("cpu", .string(cpu))) }
        return .object(members)
    }

    /// "GenuineIntel family 6 model 143, 2 threads" (the parts known).
    public var machine: String? {
        let parts = [cpu, threads.map { "\($0) thread\($0 == 1 ? "" : "s")" }].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}

extension FrontMatter {
    /// `numerics {mode, kernels, threads, cpu}`; nil when absent (or without a string `mode`).
    public var numerics: NumericsInfo? {
        get {
            guard let value = self["numerics"], let mode = value["mode"]?.stringValue else { return nil }
            let threads = value["threads"]?.doubleValue.flatMap { $0 >= 0 && $0.rounded() == $0 && $0 < 1e9 ? Int($0) : nil }
            return NumericsInfo(mode: mode, kernels: value["kernels"]?.stringValue, threads: threads, cpu: value["cpu"]?.stringValue)
        }
        set { self["numerics"] = newValue?.json }
    }

    /// The mode the notebook was recorded in: the key's `mode`, or `fast` without the key.
    public var recordedNumericsMode: String { numerics?.mode ?? NumericsInfo.modeBeforeModes }
}
