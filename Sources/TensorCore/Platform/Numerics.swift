import CKernels

/// How the engine orders floating-point reductions (DESIGN §5).
///
/// - `reproducible` (the default): Attune's own GEMM (`attune_sgemm`, one FMA chain per K block
///   of 256, blocks added in order) and reductions in fixed-size chunks, so the same seed and inputs
///   give the same bits on every CPU, vector path and core count. Recorded notebooks verify anywhere.
/// - `fast`: OpenBLAS's sgemm with the best core for this CPU. Its kernels and its threading change
///   the rounding, so results differ between CPUs and core counts (in the 7th digit for a smooth
///   run, more after many steps at a high learning rate).
public enum NumericsMode: String, CaseIterable, Sendable, Codable {
    case reproducible
    case fast

    /// One line for help texts and the doctor.
    public var summary: String {
        switch self {
        case .reproducible: "Attune's GEMM and fixed chunks: the same bits on every CPU and core count"
        case .fast: "OpenBLAS sgemm with its best core: bits depend on the CPU and the core count"
        }
    }
}

/// The process-wide numerics mode: `ATTUNE_NUMERICS` at start (default `reproducible`), then
/// whatever `set numerics=…` or a replayed notebook chooses.
public enum Numerics {
    /// The environment variable read once at start.
    public static let environmentVariable = "ATTUNE_NUMERICS"

    /// The value of `ATTUNE_NUMERICS` when it is set but not a mode (the CLI reports it).
    public static let invalidEnvironmentValue: String? = {
        guard let text = getenvString(environmentVariable), !text.isEmpty else { return nil }
        return NumericsMode(rawValue: text.lowercased()) == nil ? text : nil
    }()

    /// The mode the process started in.
    public static let initialMode: NumericsMode = {
        guard let text = getenvString(environmentVariable) else { return .reproducible }
        return NumericsMode(rawValue: text.lowercased()) ?? .reproducible
    }()

    // Written only between commands (the interpreter) or by tests; kernels read it.
    nonisolated(unsafe) private static var current: NumericsMode = initialMode

    /// The active mode.
    public static var mode: NumericsMode {
        get { current }
        set { current = newValue }
    }

    /// Runs `body` with `mode` active, then restores the previous mode.
    public static func with<R>(_ mode: NumericsMode, _ body: () throws -> R) rethrows -> R {
        let saved = current
        current = mode
        defer { current = saved }
        return try body()
    }

    /// The vector path CKernels' kernels take on this machine now: `avx512`, `avx2` or `portable`.
    public static var kernelPath: String { String(cString: attune_kernel_path_name(attune_kernel_path())) }

    /// Forces a kernel path for the whole process (tests); `nil` restores the CPU's best (or
    /// `ATTUNE_PORTABLE_KERNELS`).
    public static func forceKernelPath(_ path: KernelPath?) { attune_kernel_force_path(path.map { Int32($0.rawValue) } ?? -1) }

    /// The kernel paths, slowest first.
    public enum KernelPath: Int, CaseIterable, Sendable, Comparable {
        case portable = 0, avx2 = 1, avx512 = 2
        /// The path kernels take now.
        public static var current: KernelPath { KernelPath(rawValue: Int(attune_kernel_path())) ?? .portable }
        /// The best path this CPU runs.
        public static var best: KernelPath { KernelPath(rawValue: Int(attune_kernel_best_path())) ?? .portable }
        public var name: String { String(cString: attune_kernel_path_name(Int32(rawValue))) }
        public static func < (a: KernelPath, b: KernelPath) -> Bool { a.rawValue < b.rawValue }
    }
}
