import AttuneRuntime
import Foundation
import TensorCore

/// `attune bench`: GEMM throughput and per-kernel timings as Markdown tables (and JSON).
enum Benchmarks {
    static func run(arguments: [String]) -> Int32 {
        if arguments.first == "train" { return ModelBenchmarks.train(arguments: Array(arguments.dropFirst())) }
        if arguments.first == "inference" { return ModelBenchmarks.inference(arguments: Array(arguments.dropFirst())) }
        var jsonPath: String?
        var repeats = 5
        var gemmOnly = false
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "--json" where i + 1 < arguments.count: jsonPath = arguments[i + 1]; i += 1
            case "--gemm-only": gemmOnly = true
            case "--repeats" where i + 1 < arguments.count:
                guard let n = Int(arguments[i + 1]), n > 0 else { return CommandLineInterface.fail("bench: --repeats needs a positive number") }
                repeats = n; i += 1
            default: return CommandLineInterface.fail("bench: unknown option \(arguments[i]) (options: --json FILE, --repeats N, --gemm-only)")
            }
            i += 1
        }
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
            let object: [String: Any] = [
                "blas_core": BLASCore.activeCore, "blas_threads": BLASCore.threads,
                "numerics": Numerics.mode.rawValue, "kernel_path": Numerics.kernelPath, "matching_path": matching.name,
                "gemm": gemm.map { ["shape": $0.key, "engine": $0.engine, "median_gflops": $0.median, "best_gflops": $0.best] },
                "kernels": rows.map { ["kernel": $0.kernel, "shape": $0.shape, "forward_ms": $0.forwardMs, "backward_ms": $0.backwardMs] },
            ]
            do {
                let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
                try data.write(to: URL(fileURLWithPath: jsonPath))
            } catch { return CommandLineInterface.fail("bench: cannot write \(jsonPath): \(error.localizedDescription)") }
        }
        return 0
    }
}
