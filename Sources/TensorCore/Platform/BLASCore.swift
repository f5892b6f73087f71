import CBLAS
import Foundation

/// Which OpenBLAS kernels run, and the choice Attune makes for CPUs OpenBLAS misdetects.
///
/// Debian's OpenBLAS 0.3.21 picks its core when the library loads. It does not know Sapphire
/// Rapids-class Xeons (family 6, model 143/207, AVX-512 + AMX) and falls back to `Prescott`
/// kernels, 3-6× slower. The only remedy is `OPENBLAS_CORETYPE` in the environment *before* the
/// process starts, so the `attune` binary re-executes itself once with it set (never overriding
/// a value the user set).
public enum BLASCore {
    /// The core OpenBLAS chose (`openblas_get_corename`).
    public static var activeCore: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// OpenBLAS's thread count.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// The library's build configuration string.
    public static var configuration: String {
        guard let text = openblas_get_config() else { return "unknown" }
        return String(cString: text)
    }

    /// Generic fallbacks OpenBLAS reports for CPUs it does not recognise.
    public static let fallbackCores: Set<String> = ["Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai", "Coppermine", "Northwood", "Banias"]

    /// The core to request for this CPU when OpenBLAS fell back to a generic one: `Cooperlake`
    /// (AVX-512 with bf16), `SkylakeX` (AVX-512) or `Haswell` (AVX2 + FMA); `nil` when the active
    /// core is already specific or nothing better is safe. (Forcing `SkylakeX` on a CPU without
    /// AVX-512 dies with an illegal instruction, so the choice follows cpuid, not the CPU name.)
    public static func recommendedCore(active: String = activeCore, cpu: CPUFeatures = .current) -> String? {
        guard fallbackCores.contains(active) else { return nil }
        if cpu.hasAVX512 && cpu.avx512bf16 { return "Cooperlake" }
        if cpu.hasAVX512 { return "SkylakeX" }
        if cpu.avx2 && cpu.fma { return "Haswell" }
        return nil
    }

    /// Environment variable set on the re-executed process so it never loops.
    public static let reexecMarker = "ATTUNE_BLAS_REEXEC"

    /// When OpenBLAS runs generic kernels on a CPU with better ones and the user has not set
    /// `OPENBLAS_CORETYPE`, re-executes the current binary with the recommended core. Returns only
    /// when no re-execution is needed or it failed (then the process goes on, slower).
    public static func reexecWithBetterCoreIfNeeded(arguments: [String] = CommandLine.arguments) {
        let env = ProcessInfo.processInfo.environment
        guard env["OPENBLAS_CORETYPE"] == nil, env[reexecMarker] == nil,
              let core = recommendedCore() else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv(reexecMarker, "1", 1)
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv(executable, argv)
        // execv returned: it failed. Carry on with the generic kernels.
        unsetenv("OPENBLAS_CORETYPE")
    }
}
