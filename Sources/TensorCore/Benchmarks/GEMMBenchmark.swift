import Foundation

/// Measures sgemm throughput through the engine's GEMM entry point (`Float.gemm`), in each
/// numerics mode: Attune's reproducible GEMM on a chosen vector path, OpenBLAS, or the bf16 GEMM
/// (`numerics=bf16`'s frozen-weight products) on its AVX512_BF16 or portable path.
public enum GEMMBenchmark {
    public struct Measurement: Sendable, Codable {
        public let m: Int, k: Int, n: Int
        /// `"attune-avx512"`, `"attune-avx2"`, `"attune-portable"`, `"attune-bf16-avx512bf16"`,
        /// `"attune-bf16-portable"` or `"openblas-<core>"`.
        public let engine: String
        /// `C = A·Bᵀ` (a linear layer's forward, weights `[N, K]`) when true, `C = A·B` otherwise.
        public let transB: Bool
        /// GFLOP/s (2·M·K·N per call) of each timed call.
        public let samples: [Double]
        public var median: Double { samples.sorted()[samples.count / 2] }
        public var best: Double { samples.max() ?? 0 }
        /// `"MxKxN"`, the key `attune doctor --json` uses.
        public var key: String { "\(m)x\(k)x\(n)" }
    }

    /// A GEMM: the engine's numerics mode, and for Attune's GEMM the vector path.
    public enum Engine: Sendable, Equatable {
        case attune(Numerics.KernelPath)
        case openBLAS
        /// The bf16 GEMM (`numerics=bf16`) on one of its paths.
        case bf16(Numerics.BF16Path)

        public var name: String {
            switch self {
            case .attune(let path): "attune-\(path.name)"
            case .openBLAS: "openblas-\(BLASCore.activeCore)"
            case .bf16(let path): "attune-bf16-\(path.name)"
            }
        }

        /// Attune's paths this CPU runs (best first), the bf16 GEMM's best path, and OpenBLAS (last).
        public static var available: [Engine] {
            Numerics.KernelPath.allCases.reversed().filter { $0.rawValue <= Numerics.KernelPath.best.rawValue }.map { .attune($0) }
                + [.bf16(.best), .openBLAS]
        }

        /// Attune's path with the vector width of OpenBLAS's active core (AVX-512 cores: SkylakeX,
        /// Cooperlake, SapphireRapids; AVX2 cores: Haswell, Zen), for path-for-path ratios.
        public static var matchingOpenBLAS: Engine {
            let core = BLASCore.activeCore
            let wide = ["SkylakeX", "Cooperlake", "SapphireRapids"].contains(core)
            let best = Numerics.KernelPath.best
            return .attune(wide ? min(best, .avx512) : min(best, .avx2))
        }
    }

    /// Times `C[M,N] = A[M,K]·op(B)` `repeats` times after `warmup` untimed calls.
    public static func measure(m: Int, k: Int, n: Int, transB: Bool = true, engine: Engine? = nil,
                               repeats: Int = 7, warmup: Int = 2) -> Measurement {
        let engine = engine ?? (Numerics.mode == .fast ? .openBLAS : Numerics.mode == .bf16 ? .bf16(Numerics.bf16Path) : .attune(.current))
        var rng = RandomGenerator(seed: 1)
        let a = Tensor(shape: [m, k]) { _ in rng.uniform(-1, 1) }
        let b = Tensor(shape: transB ? [n, k] : [k, n]) { _ in rng.uniform(-1, 1) }
        let c = Tensor(zeros: [m, n])
        var samples = [Double]()
        // OpenBLAS's threads spin for a while after a call (up to ~0.1 s): let them go to sleep so
        // they do not take a core from whatever is measured next.
        usleep(250_000)
        let mode: NumericsMode
        switch engine {
        case .attune(let path):
            mode = .reproducible
            Numerics.forceKernelPath(path)
        case .openBLAS:
            mode = .fast
        case .bf16(let path):
            mode = .bf16
            // The bf16 GEMM takes AVX512_BF16 on the AVX-512 path only (dispatch.c).
            Numerics.forceKernelPath(path == .avx512bf16 ? .avx512 : .avx2)
        }
        defer { Numerics.forceKernelPath(nil) }
        Numerics.with(mode) {
            withExtendedLifetime((a, b, c)) {
                for i in 0..<(warmup + repeats) {
                    let start = DispatchTime.now().uptimeNanoseconds
                    MatmulKernel.forward(a.pointer, b.pointer, c.pointer, m: m, n: n, k: k, transB: transB, frozenB: true)
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                    if i >= warmup { samples.append(2 * Double(m) * Double(k) * Double(n) / seconds / 1e9) }
                }
            }
        }
        return Measurement(m: m, k: k, n: n, engine: engine.name, transB: transB, samples: samples)
    }

    /// The shapes `attune doctor` reports: a SmolLM2 MLP projection each way and a square one.
    public static let doctorShapes: [(m: Int, k: Int, n: Int)] = [(1024, 1536, 576), (1024, 576, 1536), (2048, 2048, 2048)]

    /// The engine's shapes for `attune bench` (M×K×N, forward of a linear layer `x·Wᵀ`): SmolLM2's
    /// projections at 1024 rows (training, batch 4 × 256) and 256 rows (prefill), the output layer,
    /// the tiny model's projections, and the LoRA rank-16 products.
    public static let engineShapes: [(name: String, m: Int, k: Int, n: Int)] = [
        ("q/o proj", 1024, 576, 576), ("k/v proj", 1024, 576, 192), ("gate/up proj", 1024, 576, 1536), ("down proj", 1024, 1536, 576),
        ("q/o proj, prefill", 256, 576, 576), ("gate/up, prefill", 256, 576, 1536), ("down, prefill", 256, 1536, 576),
        ("output layer", 1024, 576, 49152),
        ("tiny q/o", 1024, 64, 64), ("tiny up", 1024, 64, 176), ("tiny down", 1024, 176, 64),
        ("LoRA A (r=16)", 1024, 576, 16), ("LoRA B (r=16)", 1024, 16, 576),
        ("square", 2048, 2048, 2048),
    ]
}
