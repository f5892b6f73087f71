import TensorCore

/// A frozen projection whose weight `[out, in]` stays in its file's block quantization (Q4_1,
/// Q8_0, …) and is dequantized to float32 only while a forward or backward step needs it, so a
/// Q4_1 model costs about 5 bits per weight in memory, not 32.
///
/// Forward: `y = x · deq(W)ᵀ`. Backward (the weight never trains): `dx += dy · deq(W)`, with `W`
/// dequantized again rather than kept, so a recorded forward holds no float32 copy (see
/// `frozenProjection`). This is also LoRA's base over a llama.cpp file kept in its quantization.
public final class QuantizedLinear: LinearLayer, DenseWeightLinear {
    public let weight: QuantizedMatrix
    /// The weight packed for the bf16 GEMM, made on first use in `bf16` numerics (the blocks never
    /// change): 4 bytes per weight, against ~0.6 for Q4_1 blocks, for a bf16 step ~7% faster.
    /// `NF4Linear` (QLoRA, chosen for its memory) does not cache.
    public let bf16Cache = BF16WeightCache()
    /// The weight as 16-bit integer panels for generation's prefill (`Tape.integerPrefill`), made
    /// on the first prefill: 1.25 bytes per weight.
    public let int16Panels = WeightCopyCache<Int16WeightPanels>()
    /// The weight in decoding's layout (`Int16DecodeRows`), made on the first decoding product
    /// where a vector kernel reads it (AVX2, AVX-512 VNNI): the weight's own size again.
    public let decodeRows = WeightCopyCache<Int16DecodeRows>()

    public init(weight: QuantizedMatrix) { self.weight = weight }

    /// Quantized bases carry no bias (a GGUF bias is a float32 tensor of the model's arena).
    public var bias: Tensor? { nil }

    public var inFeatures: Int { weight.cols }
    public var outFeatures: Int { weight.rows }
    /// Frozen: backward needs only the weight (`frozenProjection`).
    public var readsInputInBackward: Bool { false }

    /// The weight expanded to float32 `[out, in]` (a new tensor: used on the fly by forward and
    /// backward, and for merging an adapter into it).
    public func denseWeight() -> Tensor {
        let w = Tensor(zeros: [weight.rows, weight.cols])
        dequantize(into: w.pointer)
        return w
    }

    /// Writes the weight as float32 `[out, in]` to `out`.
    func dequantize(into out: UnsafeMutablePointer<Float>) {
        weight.dequantize(rows: 0..<weight.rows, into: UnsafeMutableBufferPointer(start: out, count: weight.rows * weight.cols))
    }

    /// Up to this many input rows without a gradient (decoding), rows of `W` are dotted with the
    /// inputs straight from the blocks, never materialising the float32 matrix. A tape with
    /// `independentRows` (a batched decoding step) takes that path at any row count, so each
    /// row gets the bits it gets alone.
    public static let rowwiseLimit = 4

    public func forward(_ x: Tensor, tape: Tape) -> Tensor {
        precondition(x.columns == inFeatures, "quantized linear: input \(x.shape) does not end in \(inFeatures)")
        guard takesRowwisePath(x, tape: tape) else {
            if takesIntegerPrefill(x, tape: tape) { return integerPrefill(x) }
            return frozenProjection(x, outFeatures: outFeatures, tape: tape, bf16Cache: bf16Cache) { [self] in dequantize(into: $0) }
        }
        return Self.rowwiseForward([self], x)[0]
    }

    /// Whether `forward(x)` dots rows of `W` with the inputs straight from the blocks
    /// (`rowwiseLimit`, `Tape.independentRows`; never when `x` needs a gradient).
    func takesRowwisePath(_ x: Tensor, tape: Tape) -> Bool {
        (x.rows <= Self.rowwiseLimit || tape.independentRows) && !tape.needsGrad(x)
    }

    /// Whether `forward(x)` multiplies many rows in integers (`Tape.integerPrefill`, a weight type
    /// with integer codes, no gradient).
    func takesIntegerPrefill(_ x: Tensor, tape: Tape) -> Bool {
        tape.integerPrefill && Int16Activations.supports(weight.type) && inFeatures % 32 == 0 && !tape.needsGrad(x)
    }

    /// `y = x · deq(W)ᵀ` from 16-bit activations and the weight's integer panels (`Int16WeightPanels`).
    func integerPrefill(_ x: Tensor) -> Tensor {
        Self.integerPrefillForward([self], x)[0]
    }

    /// `y_l = x · deq(W_l)ᵀ` in integers for several layers reading the same `x [m, in]` (a
    /// prompt's q, k, v; gate, up), each output the bits `integerPrefill` gives it alone: `x` is
    /// quantized once and one parallel loop covers the panels of all layers (one contiguous run of
    /// panels per thread), instead of a quantization and a loop per layer.
    static func integerPrefillForward(_ layers: [QuantizedLinear], _ x: Tensor) -> [Tensor] {
        let outputs = layers.map { Tensor(uninitialized: Array(x.shape.dropLast()) + [$0.outFeatures]) }
        let activations = Int16Activations(x.pointer, rows: x.rows, columns: x.columns)
        let panels = layers.map { layer in layer.int16Panels.copy { Int16WeightPanels(layer.weight) } }
        let offsets = panels.reduce(into: [0]) { $0.append($0.last! + $1.panels) }
        let shared = UncheckedSendable((panels, outputs.map(\.pointer)))
        parallelChunks(offsets.last!, minChunk: 2) { _, run in
            let (panels, outputs) = shared.value
            for l in panels.indices where run.lowerBound < offsets[l + 1] && run.upperBound > offsets[l] {
                let range = max(run.lowerBound, offsets[l]) - offsets[l]..<min(run.upperBound, offsets[l + 1]) - offsets[l]
                panels[l].multiply(activations, panels: range, into: outputs[l], ldy: panels[l].rows)
            }
        }
        return outputs
    }

    /// `y_l = x · deq(W_l)ᵀ` for several layers reading the same `x [m, in]` (q, k, v; gate, up),
    /// each output `[…, out_l]` with the bits `forward` gives it alone: the activations are
    /// quantized once and the output rows of all layers run as one parallel loop.
    static func rowwiseForward(_ layers: [QuantizedLinear], _ x: Tensor) -> [Tensor] {
        let outputs = layers.map { Tensor(uninitialized: Array(x.shape.dropLast()) + [$0.outFeatures]) }
        rowwiseForward(layers, x: x.pointer, rows: x.rows, into: outputs.map(\.pointer))
        return outputs
    }

    /// `rowwiseForward` on raw rows: `outputs[l] [m, out_l] = x [m, in] · deq(W_l)ᵀ`, the same bits.
    static func rowwiseForward(_ layers: [QuantizedLinear], x: UnsafeMutablePointer<Float>, rows m: Int,
                               into outputs: [UnsafeMutablePointer<Float>]) {
        RowwiseProducts(layers).run(x: x, rows: m, into: outputs)
    }

    /// Projections of one input made ready for `rowwiseForward`: in runs of one arithmetic (a
    /// layer with the integer dot and one without each run alone), each with its weights, its
    /// decoding copies where a vector kernel reads them (`Int16DecodeRows`: the same bits, less
    /// work) and its layers' first rows. Made per call, or once and kept by decoding's plan.
    struct RowwiseProducts {
        struct Run {
            let weights: [QuantizedMatrix]
            let decodeRows: [Int16DecodeRows]?
            /// `offsets[l]` = rows before layer `l` of the run; the last is the run's rows.
            let offsets: [Int]
            /// The run's layers' places among the outputs.
            let outputs: Range<Int>
        }
        let runs: [Run]
        let columns: Int

        init(_ layers: [QuantizedLinear]) {
            columns = layers[0].inFeatures
            let integer = layers.map { Int16Activations.supports($0.weight.type) }
            let groups = integer.allSatisfy({ $0 == integer[0] }) ? [0..<layers.count] : layers.indices.map { $0..<($0 + 1) }
            let columns = columns
            runs = groups.map { group in
                let members = Array(layers[group])
                let decodeRows = Int16DecodeRows.isUsed && integer[group.lowerBound] && columns % 32 == 0
                    ? members.map { layer in layer.decodeRows.copy { Int16DecodeRows(layer.weight) } } : nil
                return Run(weights: members.map(\.weight), decodeRows: decodeRows,
                           offsets: members.reduce(into: [0]) { $0.append($0.last! + $1.outFeatures) }, outputs: group)
            }
        }

        /// Tells the pool what each of its threads will stream first when these products run
        /// (`attune_pool_prefetch_hint`): the first `bytes` of each piece `rowwiseProduct` cuts,
        /// from the decoding copies. A thread that waits meanwhile (the worker while the caller
        /// works alone between loops, either at a loop's end) reads its piece ahead.
        func hintPrefetch(bytes limit: Int) {
            guard runs.count == 1, let decodeRows = runs[0].decodeRows else { return }
            let offsets = runs[0].offsets, total = offsets.last!
            let groups = total / 4, pieces = Parallelism.chunkCount(groups, minChunk: 8)
            for chunk in 0..<pieces {
                let row = Parallelism.chunkRange(chunk, of: pieces, count: groups).lowerBound * 4
                guard let l = offsets.indices.dropLast().last(where: { offsets[$0] <= row }) else { continue }
                let first = (row - offsets[l]) / 4
                let bytes = decodeRows[l].bytes(ofGroups: first..<decodeRows[l].groups)
                Parallelism.hintReadAhead(chunk: chunk, UnsafeRawBufferPointer(rebasing: bytes.prefix(limit)))
            }
        }

        func run(x: UnsafeMutablePointer<Float>, rows m: Int, into outputs: [UnsafeMutablePointer<Float>]) {
            for run in runs {
                rowwiseProduct(run.weights, decodeRows: run.decodeRows, offsets: run.offsets, x: x,
                               outputs: runs.count == 1 ? outputs : Array(outputs[run.outputs]), rows: m, columns: columns)
            }
        }
    }

    /// `y_l[i, r] = x[i, :] · deq(W_l[r, :])` for a few rows `i` and every weight `W_l [n_l, k]`,
    /// the weights' rows together cut into pieces the pool's threads claim one after another.
    /// Q8_0/Q4_0/Q4_1 weights multiply 16-bit activations with integer dots (`Int16Activations`,
    /// within 1.5e-5 of float; quantized once for all weights); other types dequantize one row at
    /// a time into a small buffer. Either way each weight row is read once for all `m` input rows,
    /// and row `i`'s outputs depend neither on the other rows, on `m`, on the piece boundaries nor
    /// on which thread ran them (each is quantized and dotted on its own).
    private static func rowwiseProduct(_ weights: [QuantizedMatrix], decodeRows: [Int16DecodeRows]?, offsets: [Int], x: UnsafeMutablePointer<Float>,
                                       outputs: [UnsafeMutablePointer<Float>], rows m: Int, columns k: Int) {
        let total = offsets.last!
        let activations = weights.allSatisfy { Int16Activations.supports($0.type) } ? Int16Activations(x, rows: m, columns: k) : nil
        let shared = UncheckedSendable((weights, outputs, decodeRows))
        // One contiguous piece per thread (at least 32 rows each, whole 4-row groups but the
        // last): each thread streams its own run of weight rows, which the kernels prefetch ahead.
        // Cut finer, into pieces the threads claim in turn, decoding ran 15% slower.
        let groups = total / 4
        let pieces = Parallelism.chunkCount(groups, minChunk: 8)
        parallelChunks(pieces) { chunk, _ in
            let run = Parallelism.chunkRange(chunk, of: pieces, count: groups)
            let piece = run.lowerBound * 4..<(chunk == pieces - 1 ? total : run.upperBound * 4)
            let (weights, outputs, decodeRows) = shared.value
            // The piece's rows, layer by layer.
            for l in weights.indices where piece.lowerBound < offsets[l + 1] && piece.upperBound > offsets[l] {
                let weight = weights[l], n = weight.rows
                let range = max(piece.lowerBound, offsets[l]) - offsets[l]..<min(piece.upperBound, offsets[l + 1]) - offsets[l]
                let y = outputs[l]
                if let activations, let decodeRows {
                    decodeRows[l].multiply(activations, weight: weight, rows: range, into: y + range.lowerBound, ldy: n)
                    continue
                }
                if let activations {
                    let first = weight.rowBytes(range.lowerBound).baseAddress!
                    if m == 1 {
                        activations.multiply(weight.type, weights: first, rowBytes: weight.rowByteCount, rows: range.count, row: 0,
                                             into: y + range.lowerBound)
                    } else {
                        activations.multiplyAllRows(weight.type, weights: first, rowBytes: weight.rowByteCount, rows: range.count,
                                                    into: y + range.lowerBound, ldy: n)
                    }
                    continue
                }
                let row = UnsafeMutableBufferPointer<Float>.allocate(capacity: k)
                defer { row.deallocate() }
                for r in range {
                    weight.dequantizeRow(r, into: row)
                    for i in 0..<m { y[i * n + r] = VectorMath.dot(x + i * k, row.baseAddress!, count: k) }
                }
            }
        }
    }
}
