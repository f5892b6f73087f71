import CKernels

extension AttentionKernel {
    /// One sequence's query token (decoding) for `decodeForward`: `q [H, D]`, its `keyTokens`
    /// cached keys and values `[Tk, K, D]` (rows `K·D` apart), `out [H, D]`.
    public struct DecodeSequence {
        public var q: UnsafePointer<Float>
        public var k: UnsafePointer<Float>
        public var v: UnsafePointer<Float>
        public var keyTokens: Int
        public var out: UnsafeMutablePointer<Float>

        public init(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, keyTokens: Int, out: UnsafeMutablePointer<Float>) {
            self.q = q; self.k = k; self.v = v; self.keyTokens = keyTokens; self.out = out
        }
    }

    /// Attention of one query token per sequence against its cache, with the bits
    /// `attune_attention_rows` gives each head (`directForward`), in two parallel loops whose
    /// pieces split evenly over the threads and read each cached row once per kv head:
    /// ```
    /// 1. (sequence, kv head, run of keys):   s_g[j] = scale · q_g·k_j   for the group's G query heads
    /// 2. (sequence, kv head, run of columns): p_g = softmax(s_g);  o_g[e] = Σ_j p_g[j] v_j[e]
    /// ```
    /// A score is one key's dot (the same lanes and tree whichever run it falls in), the softmax
    /// runs over a head's whole row (each column run computes it for itself), and an output
    /// column is its fma chain over the keys in order, whichever run of columns it falls in.
    /// SmolLM2 has 9 heads over 3 kv heads: one loop over the 9 heads left a thread idle for a
    /// ninth of it and read every cached row three times.
    public static func decodeForward(_ sequences: [DecodeSequence], heads h: Int, kvHeads kh: Int, headDim d: Int) {
        precondition(kh > 0 && h % kh == 0, "attention: \(h) heads do not split into \(kh) kv heads")
        let group = h / kh, stride = kh * d, scale = 1 / Float(d).squareRoot()
        let longest = max(sequences.map(\.keyTokens).max() ?? 0, 1)
        let threads = Parallelism.workers
        // Runs of at least 32 keys, one per thread; column runs of 16 (the kernels' width).
        var scoreItems: [(sequence: Int, kvHead: Int, keys: Range<Int>)] = []
        for (i, sequence) in sequences.enumerated() {
            let runs = max(1, min(threads, sequence.keyTokens / 32))
            for kvHead in 0..<kh {
                for r in 0..<runs {
                    scoreItems.append((i, kvHead, Parallelism.chunkRange(r, of: runs, count: sequence.keyTokens)))
                }
            }
        }
        let columnRuns = threads > 1 && d % 32 == 0 ? 2 : 1
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: sequences.count * h * longest)
        let probabilities = UnsafeMutablePointer<Float>.allocate(capacity: sequences.count * kh * columnRuns * group * longest)
        defer { scores.deallocate(); probabilities.deallocate() }
        let shared = UncheckedSendable((sequences, scoreItems, scores, probabilities))
        parallelFor(scoreItems.count) { item in
            let (sequences, items, scores, _) = shared.value
            let (i, kvHead, keys) = items[item]
            let sequence = sequences[i]
            let s = scores + (i * h + kvHead * group) * longest
            attune_attention_group_scores(sequence.q + kvHead * group * d, group, sequence.k + keys.lowerBound * stride + kvHead * d,
                                          stride, keys.count, d, scale, s + keys.lowerBound, longest)
        }
        let columns = d / columnRuns
        parallelFor(sequences.count * kh * columnRuns) { item in
            let (sequences, _, scores, probabilities) = shared.value
            let i = item / (kh * columnRuns), kvHead = item / columnRuns % kh, run = item % columnRuns
            let sequence = sequences[i], tk = sequence.keyTokens
            let p = probabilities + item * group * longest
            for g in 0..<group {
                let s = scores + (i * h + kvHead * group + g) * longest
                let m = attune_max(s, tk)
                attune_exp_scale(s, p + g * longest, tk, m, 1 / attune_exp_sum(s, tk, m))
            }
            let first = run * columns
            attune_attention_group_values(p, longest, group, sequence.v + kvHead * d + first, stride, tk, columns,
                                          sequence.out + kvHead * group * d + first, d)
        }
    }
}
