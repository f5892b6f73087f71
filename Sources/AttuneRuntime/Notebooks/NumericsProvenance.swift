import AttuneNotebook
import TensorCore

/// The `numerics` front-matter key from the engine's side (DESIGN §5: "record the seed and the
/// numerics mode in every notebook"): what a recording notes, which mode a replay runs in, and
/// what a failed `verify` of a notebook recorded in `fast` numerics says about its differences.
public enum NumericsProvenance {
    /// This process now: `mode`, Attune's kernel path, the worker threads and the CPU.
    public static func current(mode: NumericsMode = Numerics.mode) -> NumericsInfo {
        NumericsInfo(mode: mode.rawValue, kernels: Numerics.kernelPath, threads: Parallelism.workers, cpu: cpu)
    }

    /// `GenuineIntel family 6 model 143`.
    public static var cpu: String {
        let features = CPUFeatures.current
        return "\(features.vendor) family \(features.family) model \(features.model)"
    }

    /// The mode `document` was recorded in: its `numerics.mode`, or `fast` when it has no such key
    /// (it was recorded before the modes existed, with OpenBLAS).
    public static func recordedMode(_ document: NotebookDocument) -> NumericsMode {
        document.frontMatter?.numerics.flatMap { NumericsMode(rawValue: $0.mode) } ?? .fast
    }

    /// The note a failed verify adds when the recording was made in `fast` numerics, whose bits
    /// depend on the CPU and the core count; nil for a notebook recorded in `reproducible`.
    /// `recorded` is the notebook's key, `ran` the mode of the replay, `now` this machine.
    public static func verifyNote(recorded: NumericsInfo?, ran: NumericsMode, notebook: String,
                                  now: NumericsInfo = current()) -> String? {
        guard (recorded?.mode ?? NumericsInfo.modeBeforeModes) == NumericsMode.fast.rawValue else { return nil }
        let fast = "fast numerics (OpenBLAS, whose bits depend on the CPU and the core count)"
        let rerecord = "re-record it under the default reproducible numerics with `attune verify \(notebook) --fix --numerics reproducible`"
            + " and it verifies on every machine"
        if ran == .reproducible {
            return "the notebook was recorded in \(fast) and replayed in reproducible numerics, so small differences are expected;"
                + " `attune verify \(notebook) --fix --numerics reproducible` records the reproducible outputs, which verify on every machine"
        }
        guard let recorded else {
            return "the notebook has no `numerics` key: it was recorded before Attune had numerics modes, in what is now \(fast),"
                + " and replays in fast numerics, so differences on another machine are expected; \(rerecord)"
        }
        var changes: [String] = []
        if let then = recorded.cpu, let here = now.cpu, then != here { changes.append("on a different CPU (recorded on \(then), this is \(here))") }
        if let then = recorded.threads, let here = now.threads, then != here {
            changes.append("with a different thread count (recorded with \(then), now \(here))")
        }
        if !changes.isEmpty {
            return "the notebook was recorded in \(fast) and replays \(changes.joined(separator: " and ")), so differences are expected; \(rerecord)"
        }
        if recorded.cpu != nil, recorded.cpu == now.cpu, recorded.threads != nil, recorded.threads == now.threads {
            return "the notebook was recorded in \(fast) on the same CPU model with the same thread count, so the numerics alone are"
                + " unlikely to explain these differences; under the default reproducible numerics it would verify on every machine"
                + " (`attune verify \(notebook) --fix --numerics reproducible` re-records it)"
        }
        return "the notebook was recorded in \(fast), so differences on another machine are expected; \(rerecord)"
    }
}
