import RealModule

/// Which dimensions of a head rotate together.
public enum RotaryLayout: String, Sendable, Codable {
    /// Hugging Face "rotate half": pair `(i, i + D/2)`.
    case half
    /// Interleaved (the layout llama.cpp's GGUF Q/K rows imply): pair `(2i, 2i + 1)`.
    case interleaved
}

/// Rotary position embedding on `x [B, T, H, D]` in place of a copy `y`.
///
/// Pair `p` of a head at position `pos` rotates by `θ = pos · base^(−2p/D)`:
/// `y₁ = x₁ cos θ − x₂ sin θ`, `y₂ = x₂ cos θ + x₁ sin θ`. Backward rotates by `−θ`.
public enum RotaryKernel {
    /// Precomputed `cos`/`sin` tables for positions `positions[i]`: `[T, D/2]`, one list for every
    /// row of the batch, or with `perToken` `[B·T, D/2]`, one position per token (packed rows,
    /// whose positions restart at each sequence).
    public struct Table<T: KernelScalar>: @unchecked Sendable {
        public let cos: [T], sin: [T]
        public let halfDim: Int
        /// Whether row `b`'s token `t` reads entry `b·T + t` (else entry `t`).
        public let perToken: Bool

        public init(positions: [Int], headDim: Int, base: Double, perToken: Bool = false) {
            precondition(headDim % 2 == 0, "rotary: head dimension must be even, got \(headDim)")
            halfDim = headDim / 2
            self.perToken = perToken
            var c = [T](repeating: 0, count: positions.count * halfDim), s = c
            for (t, pos) in positions.enumerated() {
                for p in 0..<halfDim {
                    // Frequencies in float32 as PyTorch computes inv_freq, angles in float32 too.
                    let invFreq = Float(1.0) / Float.pow(Float(base), Float(2 * p) / Float(headDim))
                    let angle = Float(pos) * invFreq
                    c[t * halfDim + p] = T(Float.cos(angle))
                    s[t * halfDim + p] = T(Float.sin(angle))
                }
            }
            cos = c; sin = s
        }
    }

    /// `y = rope(x)`; `direction = -1` applies the inverse rotation (used by backward).
    @inlinable
    public static func apply<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, table: Table<T>,
                                              batch: Int, tokens: Int, heads: Int, layout: RotaryLayout, direction: T = 1) {
        let half = table.halfDim, d = 2 * half
        let entries = table.perToken ? batch * tokens : tokens
        precondition(table.perToken ? table.cos.count == entries * half : table.cos.count >= entries * half,
                     "rotary: table covers \(table.cos.count / max(half, 1)) positions, need \(entries)")
        table.cos.withUnsafeBufferPointer { cosBuf in
            table.sin.withUnsafeBufferPointer { sinBuf in
                let cosP = UncheckedSendable(cosBuf.baseAddress!), sinP = UncheckedSendable(sinBuf.baseAddress!)
                parallelFor(batch * tokens, minChunk: 8) { bt in
                    let entry = table.perToken ? bt : bt % tokens
                    let cr = cosP.value + entry * half, sr = sinP.value + entry * half
                    for h in 0..<heads {
                        let xo = x + (bt * heads + h) * d, yo = y + (bt * heads + h) * d
                        for p in 0..<half {
                            let (i1, i2) = layout == .half ? (p, p + half) : (2 * p, 2 * p + 1)
                            let c = cr[p], s = direction * sr[p]
                            let a = xo[i1], b = xo[i2]
                            yo[i1] = a * c - b * s
                            yo[i2] = b * c + a * s
                        }
                    }
                }
            }
        }
    }

    /// `dx += rope⁻¹(dy)` (the rotation is orthogonal, so its gradient is the inverse rotation).
    @inlinable
    public static func backward<T: KernelScalar>(dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>, table: Table<T>,
                                                 batch: Int, tokens: Int, heads: Int, layout: RotaryLayout) {
        let count = batch * tokens * heads * table.halfDim * 2
        let tmp = UnsafeMutablePointer<T>.allocate(capacity: count)
        defer { tmp.deallocate() }
        apply(dy, tmp, table: table, batch: batch, tokens: tokens, heads: heads, layout: layout, direction: -1)
        for i in 0..<count { dx[i] += tmp[i] }
    }
}
