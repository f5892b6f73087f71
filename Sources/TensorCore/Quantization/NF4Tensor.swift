/// A weight matrix quantized to NF4 (QLoRA's base), optionally with double quantization.
///
/// Memory per parameter: 4 bits of codes plus 32/64 = 0.5 bit of fp32 absmax (block 64), or with
/// double quantization 8/64 bits of absmax codes + 32/(64·256) bits of nested absmax ≈ 0.127.
public struct NF4Tensor: Sendable {
    public let rows: Int
    public let cols: Int
    public let blockSize: Int
    /// Two codes per byte, first element in the high nibble (`(rows·cols + 1) / 2` bytes).
    public let packed: [UInt8]
    public let absmax: Absmax

    /// Per-block scales, plain or double-quantized.
    public enum Absmax: Sendable {
        case plain([Float])
        case double(DoubleQuantizedAbsmax)
    }

    /// Quantizes row-major `values` (`rows · cols`).
    public init(quantizing values: [Float], rows: Int, cols: Int, blockSize: Int = 64, doubleQuant: Bool = false) {
        precondition(rows >= 0 && cols >= 0 && rows * cols == values.count,
                     "NF4Tensor: \(values.count) values for shape \(rows) × \(cols)")
        let (packed, am) = NF4.quantize(values, blockSize: blockSize)
        self.rows = rows
        self.cols = cols
        self.blockSize = blockSize
        self.packed = packed
        self.absmax = doubleQuant ? .double(DoubleQuantizedAbsmax(quantizing: am)) : .plain(am)
    }

    /// The per-block scales as float32 (dequantized when double-quantized).
    public func blockAbsmax() -> [Float] {
        switch absmax {
        case .plain(let a): a
        case .double(let dq): dq.dequantized()
        }
    }

    /// Dequantizes row `r` into `out` (`cols` floats).
    public func dequantizeRow(_ r: Int, into out: UnsafeMutableBufferPointer<Float>, scales: [Float]? = nil) {
        precondition(r >= 0 && r < rows && out.count == cols, "NF4Tensor.dequantizeRow: bad row \(r) or output size \(out.count)")
        let s = scales ?? blockAbsmax()
        packed.withUnsafeBufferPointer { p in
            s.withUnsafeBufferPointer { sp in
                NF4.dequantize(packed: p, absmax: { sp[$0] }, blockSize: blockSize, start: r * cols, into: out)
            }
        }
    }

    /// The whole matrix, row-major.
    public func dequantized() -> [Float] {
        let s = blockAbsmax()
        let n = rows * cols
        return [Float](unsafeUninitializedCapacity: n) { buf, count in
            packed.withUnsafeBufferPointer { p in
                s.withUnsafeBufferPointer { sp in
                    NF4.dequantize(packed: p, absmax: { sp[$0] }, blockSize: blockSize, start: 0, into: buf)
                }
            }
            count = n
        }
    }

    /// Bytes held: codes plus scales.
    public var byteCount: Int {
        switch absmax {
        case .plain(let a): packed.count + 4 * a.count
        case .double(let dq): packed.count + dq.codes.count + 4 * dq.nestedAbsmax.count + 4
        }
    }
}

/// NF4 block scales stored with 8 bits each (bitsandbytes `compress_statistics=True`).
///
/// ```
/// offset       = mean(absmax)                  (accumulated in Double, rounded to Float)
/// codes, nested = Blockwise8Bit.dynamicSigned.quantize(absmax − offset, blockSize: 256)
/// absmax[b]    ≈ code[codes[b]] · nested[b / 256] + offset
/// ```
public struct DoubleQuantizedAbsmax: Sendable {
    public let codes: [UInt8]
    public let nestedAbsmax: [Float]
    public let offset: Float
    public let nestedBlockSize: Int

    public init(quantizing absmax: [Float], nestedBlockSize: Int = 256) {
        var sum = 0.0
        for a in absmax { sum += Double(a) }
        let offset = absmax.isEmpty ? 0 : Float(sum / Double(absmax.count))
        let centred = absmax.map { $0 - offset }
        let (codes, nested) = Blockwise8Bit.dynamicSigned.quantize(centred, blockSize: nestedBlockSize)
        self.init(codes: codes, nestedAbsmax: nested, offset: offset, nestedBlockSize: nestedBlockSize)
    }

    public init(codes: [UInt8], nestedAbsmax: [Float], offset: Float, nestedBlockSize: Int = 256) {
        self.codes = codes
        self.nestedAbsmax = nestedAbsmax
        self.offset = offset
        self.nestedBlockSize = nestedBlockSize
    }

    /// The float32 absmax per NF4 block: `code[q] · nested + offset`.
    public func dequantized() -> [Float] {
        let code = DynamicQuantMap.signed
        return codes.indices.map { code[Int(codes[$0])] * nestedAbsmax[$0 / nestedBlockSize] + offset }
    }
}
