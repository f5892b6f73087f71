import CKernels
import RealModule

/// Mean cross-entropy of `logits [N, V]` against `targets [N]`, skipping `ignoreIndex` (−100).
///
/// `loss = (1/M) Σ_{n valid} (logsumexp(logits[n]) − logits[n, target[n]])`, M = valid count.
/// Backward: `dlogits[n] += dloss/M · (softmax(logits[n]) − onehot(target[n]))`, zero for ignored rows.
public enum CrossEntropyKernel {
    public static let ignoreIndex: Int32 = -100

    /// Returns the mean loss and the valid count; writes per-row `logsumexp [N]` for backward.
    @inlinable
    public static func forward<T: KernelScalar>(logits: UnsafePointer<T>, targets: UnsafePointer<Int32>, logSumExp: UnsafeMutablePointer<T>,
                                                rows: Int, vocab v: Int) -> (loss: T, valid: Int) {
        let chunks = Parallelism.fixedChunkCount(rows, chunkSize: 4)  // partials added in chunk order
        var partialLoss = [T](repeating: 0, count: chunks)
        var partialCount = [Int](repeating: 0, count: chunks)
        partialLoss.withUnsafeMutableBufferPointer { pl in
            partialCount.withUnsafeMutableBufferPointer { pc in
                let plp = UncheckedSendable(pl.baseAddress!), pcp = UncheckedSendable(pc.baseAddress!)
                parallelFixedChunks(rows, chunkSize: 4) { chunk, range in
                    var loss: T = 0, count = 0
                    for n in range {
                        let row = logits + n * v
                        let lse = logSumExpRow(row, count: v)
                        logSumExp[n] = lse
                        let target = targets[n]
                        if target == ignoreIndex { continue }
                        precondition(target >= 0 && Int(target) < v, "cross-entropy: target \(target) outside the vocabulary 0..<\(v)")
                        loss += lse - row[Int(target)]
                        count += 1
                    }
                    plp.value[chunk] = loss
                    pcp.value[chunk] = count
                }
            }
        }
        let valid = partialCount.reduce(0, +)
        let total = partialLoss.reduce(0, +)
        return (valid > 0 ? total / T(valid) : 0, valid)
    }

    /// `log Σ_j exp(row[j])`, stable (vectorised for Float rows).
    @inlinable
    public static func logSumExpRow<T: KernelScalar>(_ row: UnsafePointer<T>, count v: Int) -> T {
        if T.self == Float.self {
            let rf = UnsafeRawPointer(row).assumingMemoryBound(to: Float.self)
            let m = attune_max(rf, v)
            return T(m + Float.log(attune_exp_sum(rf, v, m)))
        }
        var m = -T.infinity
        for j in 0..<v where row[j] > m { m = row[j] }
        var sum: T = 0
        for j in 0..<v { sum += T.exp(row[j] - m) }
        return m + T.log(sum)
    }

    @inlinable
    public static func backward<T: KernelScalar>(dloss: T, logits: UnsafePointer<T>, targets: UnsafePointer<Int32>, logSumExp: UnsafePointer<T>,
                                                 dlogits: UnsafeMutablePointer<T>, rows: Int, vocab v: Int, valid: Int) {
        guard valid > 0 else { return }
        let scale = dloss / T(valid)
        parallelFor(rows, minChunk: 4) { n in
            let target = targets[n]
            if target == ignoreIndex { return }
            let row = logits + n * v, drow = dlogits + n * v, lse = logSumExp[n]
            if T.self == Float.self {
                attune_exp_scale_add(UnsafeRawPointer(row).assumingMemoryBound(to: Float.self),
                                     UnsafeMutableRawPointer(drow).assumingMemoryBound(to: Float.self), v, Float(lse), Float(scale))
            } else {
                for j in 0..<v { drow[j] += scale * T.exp(row[j] - lse) }
            }
            drow[Int(target)] -= scale
        }
    }
}
