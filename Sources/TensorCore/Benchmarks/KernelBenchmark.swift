import Foundation

/// Times each kernel's forward and backward at SmolLM2-135M training shapes
/// (B=4, T=256, C=576, H=9, K=3, D=64, F=1536, V=49152) through the tape, as training runs them.
public enum KernelBenchmark {
    public struct Row: Sendable {
        public let kernel: String
        public let shape: String
        public let forwardMs: Double
        public let backwardMs: Double
        /// Floating-point operations of forward + backward, when meaningful (GEMM-bound kernels).
        public let flops: Double?
    }

    /// Median milliseconds of `repeats` runs of `body` after one warm-up.
    static func time(_ repeats: Int, _ body: () -> Void) -> Double {
        body()
        var samples = [Double]()
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return samples.sorted()[samples.count / 2]
    }

    /// Forward alone, then forward + backward, of the op `build` records; backward = difference.
    static func measure(_ kernel: String, _ shape: String, flops: Double? = nil, repeats: Int,
                        inputs: [Tensor], _ build: (Tape) -> Tensor) -> Row {
        let forward = time(repeats) { _ = build(Tape(recording: false)) }
        let both = time(repeats) {
            for t in inputs { t.zeroGrad() }
            let tape = Tape()
            let y = build(tape)
            let loss = tape.sum(y)
            tape.backward(from: loss)
        }
        return Row(kernel: kernel, shape: shape, forwardMs: forward, backwardMs: max(both - forward, 0), flops: flops)
    }

    public static func run(repeats: Int = 5) -> [Row] {
        let (b, t, c, h, k, d, f, v) = (4, 256, 576, 9, 3, 64, 1536, 49152)
        let n = b * t
        var rng = RandomGenerator(seed: 11)
        func tensor(_ shape: [Int], _ scale: Float = 1, grad: Bool = true) -> Tensor {
            Tensor(shape: shape, requiresGrad: grad) { _ in rng.uniform(-scale, scale) }
        }
        let x = tensor([n, c]), wq = tensor([c, c], 0.05), wg = tensor([f, c], 0.05), wd = tensor([c, f], 0.05)
        let norm = tensor([c]), q = tensor([b, t, h, d]), kk = tensor([b, t, k, d]), vv = tensor([b, t, k, d])
        let gate = tensor([n, f]), up = tensor([n, f]), logits = tensor([n, v], 3), embed = tensor([v, c], 0.05)
        let xf = tensor([n, f])
        let ids = (0..<n).map { _ in Int32(rng.nextInt(below: v)) }
        let targets = ids
        let rope = RotaryKernel.Table<Float>(positions: Array(0..<t), headDim: d, base: 100_000)
        var rows = [Row]()
        rows.append(measure("linear q_proj", "[\(n),\(c)]·[\(c),\(c)]ᵀ", flops: 3 * 2 * Double(n * c * c), repeats: repeats, inputs: [x, wq]) { $0.linear(x, wq) })
        rows.append(measure("linear gate_proj", "[\(n),\(c)]·[\(f),\(c)]ᵀ", flops: 3 * 2 * Double(n * c * f), repeats: repeats, inputs: [x, wg]) { $0.linear(x, wg) })
        rows.append(measure("linear down_proj", "[\(n),\(f)]·[\(c),\(f)]ᵀ", flops: 3 * 2 * Double(n * c * f), repeats: repeats, inputs: [xf, wd]) { $0.linear(xf, wd) })
        rows.append(measure("lm_head", "[\(n),\(c)]·[\(v),\(c)]ᵀ", flops: 3 * 2 * Double(n) * Double(c) * Double(v), repeats: repeats, inputs: [x, embed]) { $0.linear(x, embed) })
        rows.append(measure("attention (causal, GQA)", "B\(b) T\(t) H\(h) K\(k) D\(d)", flops: 3 * 2 * 2 * Double(b * h * t * t * d), repeats: repeats, inputs: [q, kk, vv]) {
            $0.attention(q: q, k: kk, v: vv)
        })
        rows.append(measure("rmsnorm", "[\(n),\(c)]", repeats: repeats, inputs: [x, norm]) { $0.rmsNorm(x, weight: norm, eps: 1e-5) })
        rows.append(measure("rotary", "[\(b),\(t),\(h),\(d)]", repeats: repeats, inputs: [q]) { $0.rotary(q, table: rope, layout: .half) })
        rows.append(measure("swiglu", "[\(n),\(f)]", repeats: repeats, inputs: [gate, up]) { $0.swiglu(gate: gate, up: up) })
        rows.append(measure("embedding", "\(n) ids of [\(v),\(c)]", repeats: repeats, inputs: [embed]) { $0.embedding(ids, embed) })
        rows.append(measure("cross-entropy", "[\(n),\(v)]", repeats: repeats, inputs: [logits]) { $0.crossEntropy(logits, targets: targets).loss })
        return rows
    }

    /// A Markdown table of `rows`.
    public static func markdown(_ rows: [Row]) -> String {
        var out = "| kernel | shape | forward ms | backward ms | GFLOP/s (fwd+bwd) |\n|---|---|---:|---:|---:|\n"
        for r in rows {
            let gflops = r.flops.map { String(format: "%.1f", $0 / ((r.forwardMs + r.backwardMs) / 1000) / 1e9) } ?? ""
            out += String(format: "| %@ | %@ | %.2f | %.2f | %@ |\n", r.kernel, r.shape, r.forwardMs, r.backwardMs, gflops)
        }
        return out
    }
}
