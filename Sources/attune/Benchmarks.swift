import ArgumentParser
import AttuneRuntime
import Essentials
import Foundation
import TensorCore

/// `attune bench`: its own options belong to the default subcommand `kernels` (GEMM throughput and
/// per-kernel timings as Markdown tables, and JSON); `bench train` and `bench inference` measure
/// SmolLM2. (Options on `bench` itself would also capture `bench train … --json FILE`.)
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "GEMM and kernel timings (see Scripts/bench).",
        subcommands: [BenchKernels.self, BenchTrain.self, BenchInference.self],
        defaultSubcommand: BenchKernels.self)
}

/// `attune bench [kernels] [--json FILE] [--repeats N] [--gemm-only]`.
struct BenchKernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "GEMM at the engine's shapes and kernels at SmolLM2's training shapes (the default).")

    @Option(help: ArgumentHelp("Also write the measurements as JSON to this file.", valueName: "file"), completion: .file(extensions: ["json"]))
    var json: String?

    @Option(help: ArgumentHelp("Measurements per kernel (GEMMs take at least 5).", valueName: "n"))
    var repeats = 5

    @Flag(help: "Only the GEMM table.")
    var gemmOnly = false

    func validate() throws {
        guard repeats > 0 else { throw ValidationError("--repeats needs a positive number") }
    }

    func run() throws {
        try exitIfFailed(Benchmarks.run(jsonPath: json, repeats: repeats, gemmOnly: gemmOnly))
    }
}

enum Benchmarks {
    static func run(jsonPath: String?, repeats: Int, gemmOnly: Bool) -> Int32 {
        print("## Attune benchmark\n")
        print("OpenBLAS core \(BLASCore.activeCore), \(BLASCore.threads) threads; \(Parallelism.workers) workers for non-BLAS loops; CPU \(CPUFeatures.current.vendor) family \(CPUFeatures.current.family) model \(CPUFeatures.current.model)\n")
        let engines = GEMMBenchmark.Engine.available
        let matching = GEMMBenchmark.Engine.matchingOpenBLAS
        print("### GEMM at the engine's shapes (C = A·Bᵀ, median GFLOP/s of \(max(repeats, 5)); ratio = Attune's \(matching.name) path / OpenBLAS \(BLASCore.activeCore), the same vector width)\n")
        print("| shape | M×K×N | " + engines.map(\.name).joined(separator: " | ") + " | ratio |")
        print("|---|---|" + String(repeating: "---:|", count: engines.count + 1))
        var gemm = [GEMMBenchmark.Measurement]()
        for shape in GEMMBenchmark.engineShapes {
            // Engines interleaved per shape, so machine load hits them alike.
            let row = engines.map { GEMMBenchmark.measure(m: shape.m, k: shape.k, n: shape.n, engine: $0, repeats: max(repeats, 5)) }
            gemm += row
            let ours = row[engines.firstIndex(of: matching)!].median, theirs = row.last!.median
            print("| \(shape.name) | \(row[0].key) | " + row.map { String(format: "%.1f", $0.median) }.joined(separator: " | ")
                  + String(format: " | %.2f× |", ours / theirs))
        }
        var rows = [KernelBenchmark.Row]()
        if !gemmOnly {
            print("\n### Kernels at SmolLM2-135M training shapes (median of \(repeats))\n")
            rows = KernelBenchmark.run(repeats: repeats)
            print(KernelBenchmark.markdown(rows))
        }
        if let jsonPath {
            let object: JSONValue = [
                "blas_core": .string(BLASCore.activeCore), "blas_threads": .int(BLASCore.threads),
                "numerics": .string(Numerics.mode.rawValue), "kernel_path": .string(Numerics.kernelPath), "matching_path": .string(matching.name),
                "gemm": .array(gemm.map { ["shape": .string($0.key), "engine": .string($0.engine), "median_gflops": .number($0.median),
                                          "best_gflops": .number($0.best)] }),
                "kernels": .array(rows.map { ["kernel": .string($0.kernel), "shape": .string($0.shape), "forward_ms": .number($0.forwardMs),
                                             "backward_ms": .number($0.backwardMs)] }),
            ]
            do {
                try Data((object.text(.pretty(indent: 2, sortedKeys: true)) + "\n").utf8).write(to: URL(fileURLWithPath: jsonPath))
            } catch {
                Terminal.err("attune bench: cannot write \(jsonPath): \(error.localizedDescription)")
                return 1
            }
        }
        return 0
    }
}
