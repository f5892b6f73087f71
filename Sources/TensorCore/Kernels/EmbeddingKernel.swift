/// Embedding lookup: `y[n, :] = table[ids[n], :]` for `ids [N]`, `table [V, C]`, `y [N, C]`.
/// Backward scatters: `dtable[ids[n], :] += dy[n, :]` (rows repeat when ids repeat).
public enum EmbeddingKernel {
    @inlinable
    public static func forward<T: KernelScalar>(ids: UnsafePointer<Int32>, table: UnsafePointer<T>, y: UnsafeMutablePointer<T>,
                                                count n: Int, vocab: Int, width c: Int) {
        parallelFor(n, minChunk: 64) { i in
            let id = Int(ids[i])
            precondition(id >= 0 && id < vocab, "embedding: token id \(id) outside the vocabulary 0..<\(vocab)")
            (y + i * c).update(from: table + id * c, count: c)
        }
    }

    @inlinable
    public static func backward<T: KernelScalar>(dy: UnsafePointer<T>, ids: UnsafePointer<Int32>, dtable: UnsafeMutablePointer<T>,
                                                 count n: Int, width c: Int) {
        // Serial: two positions with the same id write the same row.
        for i in 0..<n {
            let row = dtable + Int(ids[i]) * c
            let g = dy + i * c
            for j in 0..<c { row[j] += g[j] }
        }
    }
}
