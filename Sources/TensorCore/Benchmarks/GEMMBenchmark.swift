import Foundation

/// Measures sgemm throughput through the same BLAS path the engine uses.
public enum GEMMBenchmark {
    public struct Measurement: Sendable, Codable {
        public let m: Int, k: Int, n: Int
        /// GFLOP/s (2·M·K·N per call) of each timed call.
        public let samples: [Double]
        public var median: Double { samples.sorted()[samples.count / 2] }
        public var best: Double { samples.max() ?? 0 }
        /// `"MxKxN"`, the key `attune doctor --json` uses.
        public var key: String { "\(m)x\(k)x\(n)" }
    }

    /// Times `C[M,N] = A[M,K]·B[K,N]` `repeats` times after `warmup` untimed calls.
    public static func measure(m: Int, k: Int, n: Int, repeats: Int = 7, warmup: Int = 2) -> Measurement {
        var rng = RandomGenerator(seed: 1)
        let a = Tensor(shape: [m, k]) { _ in rng.uniform(-1, 1) }
        let b = Tensor(shape: [k, n]) { _ in rng.uniform(-1, 1) }
        let c = Tensor(zeros: [m, n])
        var samples = [Double]()
        withExtendedLifetime((a, b, c)) {
            for i in 0..<(warmup + repeats) {
                let start = DispatchTime.now().uptimeNanoseconds
                MatmulKernel.forward(a.pointer, b.pointer, c.pointer, m: m, n: n, k: k)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if i >= warmup { samples.append(2 * Double(m) * Double(k) * Double(n) / seconds / 1e9) }
            }
        }
        return Measurement(m: m, k: k, n: n, samples: samples)
    }

    /// The shapes `attune doctor` reports: a SmolLM2 MLP projection each way and a square one.
    public static let doctorShapes: [(m: Int, k: Int, n: Int)] = [(1024, 1536, 576), (1024, 576, 1536), (2048, 2048, 2048)]
}
