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
    /// pieces split evenly over the threads:
    /// ```
    /// 1. (sequence, run of keys):                 s_h[j] = scale · q_h·k_j        every head
    /// 2. (sequence, kv head, run of columns):     p_h = softmax(s_h);  o_h[e] = Σ_j p_h[j] v_j[e]
    /// ```
    /// The scores walk the cached rows in blocks of `decodeKeyBlock` keys, every kv head of a block
    /// before the next block, so a thread streams whole rows (decoding finds them out of cache: the
    /// weights streamed through since the last token) and reads a kv head's part once for its
    /// query heads. The values run over all keys a piece at a time, 32 columns of a kv head's query
    /// heads in registers; a thread's pieces are consecutive, so it reads one contiguous part of
    /// every row and computes the softmax only of the heads its pieces need (6 of SmolLM2's 9, not
    /// all 9: with the softmax's exponentials computed once, `attune_softmax`, the values loop took
    /// 2.3× less time on a Zen 4). A score is one key's dot (the same lanes and tree whichever run
    /// it falls in), the softmax runs over a head's whole row, and an output column is its fma
    /// chain over the keys in order, whichever piece it falls in.
    /// SmolLM2 has 9 heads over 3 kv heads: one loop over the 9 heads left a thread idle for a
    /// ninth of it and read every cached row three times.
    public static func decodeForward(_ sequences: [DecodeSequence], heads h: Int, kvHeads kh: Int, headDim d: Int) {
        precondition(kh > 0 && h % kh == 0, "attention: \(h) heads do not split into \(kh) kv heads")
        let group = h / kh, stride = kh * d, scale = 1 / Float(d).squareRoot()
        let longest = max(sequences.map(\.keyTokens).max() ?? 0, 1)
        let threads = Parallelism.workers
        // Runs of at least 32 keys, one per thread; column runs of half a head where that is a
        // multiple of 16 (the kernels' width).
        var keyRuns: [(sequence: Int, keys: Range<Int>)] = []
        for (i, sequence) in sequences.enumerated() {
            let runs = max(1, min(threads, sequence.keyTokens / 32))
            for r in 0..<runs { keyRuns.append((i, Parallelism.chunkRange(r, of: runs, count: sequence.keyTokens))) }
        }
        let columnRuns = threads > 1 && d % 32 == 0 ? 2 : 1, columns = d / columnRuns
        let block = decodeKeyBlock
        // Values: pieces (sequence, kv head, run of columns), in that order, cut into one run of
        // pieces per thread; a thread computes the softmax of the heads its pieces need, once.
        let pieces = sequences.count * kh * columnRuns
        let chunks = Parallelism.chunkCount(pieces, minChunk: 1)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: sequences.count * h * longest)
        let probabilities = UnsafeMutablePointer<Float>.allocate(capacity: chunks * sequences.count * h * longest)
        defer { scores.deallocate(); probabilities.deallocate() }
        let shared = UncheckedSendable((sequences, keyRuns, scores, probabilities))
        parallelFor(keyRuns.count) { item in
            let (sequences, runs, scores, _) = shared.value
            let (i, keys) = runs[item]
            let sequence = sequences[i]
            for first in Swift.stride(from: keys.lowerBound, to: keys.upperBound, by: block) {
                let count = min(block, keys.upperBound - first)
                for kvHead in 0..<kh {
                    attune_attention_group_scores(sequence.q + kvHead * group * d, group, sequence.k + first * stride + kvHead * d, stride,
                                                  count, d, scale, scores + (i * h + kvHead * group) * longest + first, longest)
                }
            }
        }
        parallelChunks(chunks) { chunk, _ in
            let (sequences, _, scores, probabilities) = shared.value
            let mine = Parallelism.chunkRange(chunk, of: chunks, count: pieces)
            let p = probabilities + chunk * sequences.count * h * longest
            var done = -1  // the last (sequence, kv head) whose heads' softmax is in p
            for piece in mine {
                let pair = piece / columnRuns, i = pair / kh, kvHead = pair % kh, column = piece % columnRuns * columns
                let sequence = sequences[i], tk = sequence.keyTokens
                let heads = p + (i * h + kvHead * group) * longest
                if pair != done {
                    for g in 0..<group { attune_softmax(scores + (i * h + kvHead * group + g) * longest, heads + g * longest, tk) }
                    done = pair
                }
                attune_attention_group_values(heads, longest, group, sequence.v + kvHead * d + column, stride, tk, columns,
                                              sequence.out + kvHead * group * d + column, d, 0)
            }
        }
    }

    /// Keys per block of `decodeForward`'s walk over the cache.
    public static let decodeKeyBlock = 16
}
