import CKernels

/// How the engine orders floating-point reductions (DESIGN §5).
///
/// - `reproducible` (the default): Attune's own GEMM (`attune_sgemm`, one FMA chain per K block
///   of 256, blocks added in order) and reductions in fixed-size chunks, so the same seed and inputs
///   give the same bits on every CPU, vector path and core count. Recorded notebooks verify anywhere.
/// - `fast`: OpenBLAS's sgemm with the best core for this CPU. Its kernels and its threading change
///   the rounding, so results differ between CPUs and core counts (in the 7th digit for a smooth
///   run, more after many steps at a high learning rate).
/// - `bf16`: `reproducible`, except that every product with a frozen weight (see `BF16Products`)
///   rounds the weight and the activations to bfloat16 and sums in fp32 as AVX512_BF16's
///   `vdpbf16ps` does (`attune_gemm_bf16`): the same bits on every CPU, fast where the CPU has
///   AVX512_BF16 and emulated elsewhere. Master weights, trainable parameters, their gradients,
///   optimizer state and the loss stay fp32.
public enum NumericsMode: String, CaseIterable, Sendable, Codable {
    case reproducible
    case fast
    case bf16

    /// One line for help texts and the doctor.
    public var summary: String {
        switch self {
        case .reproducible: "Attune's GEMM and fixed chunks: the same bits on every CPU and core count"
        case .fast: "OpenBLAS sgemm with its best core: bits depend on the CPU and the core count"
        case .bf16: "frozen weights and their inputs in bfloat16, fp32 sums in vdpbf16ps order: the same bits everywhere"
        }
    }

    /// Whether results are the same bits on every CPU and core count (`reproducible` and `bf16`).
    public var isReproducible: Bool { self != .fast }
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

    /// The path of the bf16 GEMM now: `avx512bf16` or `portable` (the emulation, same bits).
    public static var bf16Path: BF16Path { BF16Path(rawValue: Int(attune_bf16_path())) ?? .portable }

    /// The bf16 GEMM's paths: the AVX512_BF16 instructions, or their portable emulation.
    public enum BF16Path: Int, CaseIterable, Sendable {
        case portable = 0, avx512bf16 = 1
        /// The best path this CPU runs.
        public static var best: BF16Path { BF16Path(rawValue: Int(attune_bf16_best_path())) ?? .portable }
        public var name: String { String(cString: attune_bf16_path_name(Int32(rawValue))) }
    }

    /// Forces a kernel path for the whole process (tests); `nil` restores the CPU's best (or
    /// `ATTUNE_PORTABLE_KERNELS`). The bf16 GEMM follows: AVX512_BF16 only on the AVX-512 path.
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
