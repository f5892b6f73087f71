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
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "--json" where i + 1 < arguments.count: jsonPath = arguments[i + 1]; i += 1
            case "--repeats" where i + 1 < arguments.count:
                guard let n = Int(arguments[i + 1]), n > 0 else { return CommandLineInterface.fail("bench: --repeats needs a positive number") }
                repeats = n; i += 1
            default: return CommandLineInterface.fail("bench: unknown option \(arguments[i]) (options: --json FILE, --repeats N)")
            }
            i += 1
        }
        print("## Attune benchmark\n")
        print("OpenBLAS core \(BLASCore.activeCore), \(BLASCore.threads) threads; \(Parallelism.workers) workers for non-BLAS loops; CPU \(CPUFeatures.current.vendor) family \(CPUFeatures.current.family) model \(CPUFeatures.current.model)\n")
        let shapes = GEMMBenchmark.doctorShapes + [(m: 1024, k: 576, n: 576), (m: 1024, k: 576, n: 49152)]
        let gemm = shapes.map { GEMMBenchmark.measure(m: $0.m, k: $0.k, n: $0.n, repeats: max(repeats, 5)) }
        print("| sgemm M×K×N | median GFLOP/s | best GFLOP/s |\n|---|---:|---:|")
        for g in gemm { print(String(format: "| %@ | %.1f | %.1f |", g.key, g.median, g.best)) }
        print("\n### Kernels at SmolLM2-135M training shapes (median of \(repeats))\n")
        let rows = KernelBenchmark.run(repeats: repeats)
        print(KernelBenchmark.markdown(rows))
        if let jsonPath {
            let object: [String: Any] = [
                "blas_core": BLASCore.activeCore, "blas_threads": BLASCore.threads,
                "sgemm_gflops": Dictionary(uniqueKeysWithValues: gemm.map { ($0.key, $0.median) }),
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
