import Essentials
import Foundation
import TensorCore

/// What `attune doctor` reports: the BLAS core and its speed, CPU features, toolchain and OS.
public struct DoctorReport: Sendable {
    public let blasCore: String
    public let blasThreads: Int
    public let blasConfig: String
    public let coreTypeVariable: String?
    /// The active numerics mode's GEMM at the doctor's shapes (`sgemm_gflops`).
    public let gemm: [GEMMBenchmark.Measurement]
    /// The other mode's GEMM at the same shapes, for comparison.
    public let otherGEMM: [GEMMBenchmark.Measurement]
    /// The bf16 GEMM (`numerics=bf16`) on the path it takes now, at the SmolLM2 shapes.
    public let bf16GEMM: [GEMMBenchmark.Measurement]
    /// The path the bf16 GEMM takes now, and the best this CPU has.
    public let bf16Path: Numerics.BF16Path, bf16Best: Numerics.BF16Path
    public let numerics: NumericsMode
    public let kernelPath: String
    public let cpu: CPUFeatures
    public let swiftVersion: String
    public let osVersion: String
    public let engineVersion: String

    /// Measures now (about a second on the reference machine).
    public static func measure(repeats: Int = 7) -> DoctorReport {
        let attune = GEMMBenchmark.Engine.attune(.current)
        let (active, other) = Numerics.mode.isReproducible ? (attune, GEMMBenchmark.Engine.openBLAS) : (.openBLAS, attune)
        func run(_ engine: GEMMBenchmark.Engine, shapes: Int = GEMMBenchmark.doctorShapes.count) -> [GEMMBenchmark.Measurement] {
            GEMMBenchmark.doctorShapes.prefix(shapes).map { GEMMBenchmark.measure(m: $0.m, k: $0.k, n: $0.n, engine: engine, repeats: repeats) }
        }
        let bf16Path = Numerics.bf16Path
        return DoctorReport(blasCore: BLASCore.activeCore, blasThreads: BLASCore.threads, blasConfig: BLASCore.configuration,
                     coreTypeVariable: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"],
                     gemm: run(active), otherGEMM: run(other), bf16GEMM: run(.bf16(bf16Path), shapes: 2),
                     bf16Path: bf16Path, bf16Best: .best, numerics: Numerics.mode, kernelPath: Numerics.kernelPath,
                     cpu: .current, swiftVersion: Self.compilerVersion, osVersion: Self.operatingSystem, engineVersion: AttuneVersion.current)
    }

    static var compilerVersion: String {
        #if compiler(>=6.3)
        "6.3 or newer"
        #elseif compiler(>=6.2)
        "6.2"
        #elseif compiler(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }

    static var operatingSystem: String {
        if let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("PRETTY_NAME=") }) {
            return line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return ProcessInfo.processInfo.operatingSystemVersionString
    }

    /// The JSON form (`blas.core`, `blas.threads`, `sgemm_gflops` keyed `"MxKxN"`, `cpu.avx512`, `cpu.amx`).
    public var json: JSONValue {
        func gflops(_ list: [GEMMBenchmark.Measurement]) -> JSONValue {
            .object(list.map { ($0.key, .number(($0.median * 10).rounded() / 10)) })
        }
        let attune = numerics.isReproducible ? gemm : otherGEMM, openBLAS = numerics.isReproducible ? otherGEMM : gemm
        return [
            "numerics": ["mode": .string(numerics.rawValue), "kernel_path": .string(kernelPath), "threads": .int(Parallelism.workers)],
            "gemm": ["attune": ["path": .string(kernelPath), "gflops": gflops(attune)],
                     "openblas": ["core": .string(blasCore), "gflops": gflops(openBLAS)],
                     "bf16": ["path": .string(bf16Path.name), "best_path": .string(bf16Best.name), "gflops": gflops(bf16GEMM)]],
            "engine": ["name": "attune", "version": .string(engineVersion)],
            "blas": ["library": "OpenBLAS", "core": .string(blasCore), "threads": .int(blasThreads), "config": .string(blasConfig),
                     "coretype_env": .optional(coreTypeVariable)],
            "sgemm_gflops": gflops(gemm),
            "cpu": ["vendor": .string(cpu.vendor), "family": .int(cpu.family), "model": .int(cpu.model), "avx2": .bool(cpu.avx2),
                    "fma": .bool(cpu.fma), "avx512": .bool(cpu.hasAVX512), "avx512_bf16": .bool(cpu.avx512bf16), "amx": .bool(cpu.hasAMX),
                    "cores": .int(ProcessInfo.processInfo.activeProcessorCount)],
            "swift": .string(swiftVersion),
            "os": .string(osVersion),
        ]
    }

    public func jsonText() -> String {
        json.text(.pretty(indent: 2, sortedKeys: true))
    }

    /// The human-readable form.
    public var text: String {
        func speeds(_ list: [GEMMBenchmark.Measurement]) -> String {
            list.map { String(format: "%@: %.1f", $0.key, $0.median) }.joined(separator: ", ") + " GFLOP/s (median)"
        }
        let attune = numerics.isReproducible ? gemm : otherGEMM, openBLAS = numerics.isReproducible ? otherGEMM : gemm
        var lines = ["Attune \(engineVersion)",
                     "Numerics  \(numerics.rawValue) (set numerics=…, ATTUNE_NUMERICS): \(numerics.summary)",
                     "Kernels   \(kernelPath) path, \(Parallelism.workers) threads",
                     "BLAS      OpenBLAS, core \(blasCore), \(blasThreads) threads" + (coreTypeVariable.map { " (OPENBLAS_CORETYPE=\($0))" } ?? ""),
                     "sgemm     Attune (\(kernelPath), reproducible) \(speeds(attune))",
                     "sgemm     OpenBLAS (\(blasCore), fast) \(speeds(openBLAS))",
                     "bf16      " + NumericsSetting.bf16Paths(path: bf16Path, best: bf16Best, amx: cpu.hasAMX) + "; GEMM \(speeds(bf16GEMM))"]
        lines.append("CPU       \(cpu.vendor) family \(cpu.family) model \(cpu.model); AVX2 \(yes(cpu.avx2)), AVX-512 \(yes(cpu.hasAVX512)), AMX \(yes(cpu.hasAMX)); \(ProcessInfo.processInfo.activeProcessorCount) cores")
        lines.append("Swift     \(swiftVersion)")
        lines.append("OS        \(osVersion)")
        if BLASCore.fallbackCores.contains(blasCore) {
            lines.append("warning   OpenBLAS runs its generic \(blasCore) kernels; set OPENBLAS_CORETYPE (e.g. Haswell or SkylakeX) before starting.")
        }
        return lines.joined(separator: "\n")
    }

    private func yes(_ flag: Bool) -> String { flag ? "yes" : "no" }
}

/// The engine's version string.
public enum AttuneVersion {
    public static let current = "0.1.0"
}
