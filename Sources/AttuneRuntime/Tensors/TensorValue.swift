import AttuneLanguage
import Essentials
import Foundation
import TensorCore

/// A tensor as a value of the scripting language: `w = layers.0.attn.q_proj.lora_B`, a slice
/// `w[0:4, :8]`, an activation `a.layers[1].attention[3]`, or what arithmetic made of them.
///
/// Row-major float32 values of `shape`, with optional labels per dimension (the tokens of an
/// activation). Values either live here (`dense`) or are read row by row on demand (`rows`): a
/// weight kept quantized is dequantized only for the rows a statistic, slice or product reads,
/// and a float32 parameter too large for a value is read in place. Nothing larger than
/// `valueLimit` values (64 MiB of float32) is ever allocated: such a result asks for a slice.
///
/// Statistics are computed in double precision in index order, as `show` computes them.
public final class TensorValue: OpaqueScriptValue, @unchecked Sendable {
    /// The most one tensor value may hold: 64 MiB.
    public static let byteLimit = 64 << 20
    /// `byteLimit` in float32 values (16,777,216).
    public static var valueLimit: Int { byteLimit / MemoryLayout<Float>.size }

    /// How the value was made: `layers.0.attn.q_proj.lora_B`, `w[0:4]`, `(a + b)`.
    public let name: String
    public let shape: [Int]
    /// `float32`, or the storage of a weight kept quantized (`Q4_1`, `Q8_0`).
    public let dtype: String
    /// Labels along each dimension (the tokens of an activation), nil where there are none.
    public let labels: [[String]?]
    let source: Source

    enum Source {
        case dense([Float])
        /// Fills `rows.count × rowLength` values of the rows asked for.
        case rows((_ rows: Range<Int>, _ into: UnsafeMutableBufferPointer<Float>) -> Void)
    }

    /// A tensor holding `values` (row-major, `shape`'s product of them).
    public init(name: String, shape: [Int], values: [Float], labels: [[String]?]? = nil, dtype: String = "float32") {
        precondition(values.count == shape.reduce(1, *), "tensor \(name): \(values.count) values for shape \(shape)")
        self.name = name
        self.shape = shape
        self.dtype = dtype
        self.labels = Self.checked(labels, shape: shape)
        source = .dense(values)
    }

    /// A tensor whose rows (first dimension) are read on demand.
    init(name: String, shape: [Int], dtype: String, labels: [[String]?]? = nil,
         reader: @escaping (_ rows: Range<Int>, _ into: UnsafeMutableBufferPointer<Float>) -> Void) {
        self.name = name
        self.shape = shape
        self.dtype = dtype
        self.labels = Self.checked(labels, shape: shape)
        source = .rows(reader)
    }

    private static func checked(_ labels: [[String]?]?, shape: [Int]) -> [[String]?] {
        guard let labels, labels.count == shape.count else { return Array(repeating: nil, count: shape.count) }
        return zip(labels, shape).map { list, size in list?.count == size ? list : nil }
    }

    /// Number of values.
    public var count: Int { shape.reduce(1, *) }
    /// Rows along the first dimension (1 for a scalar-like empty shape).
    var rowCount: Int { shape.first ?? 1 }
    /// Values per row: the product of the dimensions after the first.
    var rowLength: Int { shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *) }

    /// `[64, 8]`.
    var shapeText: String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

    // MARK: Reading

    /// Every value, in row-major order; a tensor above the limit asks for a slice instead.
    public func values() throws(CommandError) -> [Float] {
        if case .dense(let values) = source { return values }
        try checkSize(count, making: name)
        return read(rows: 0..<rowCount)
    }

    /// The values of some rows (first dimension).
    func read(rows: Range<Int>) -> [Float] {
        switch source {
        case .dense(let values):
            return Array(values[(rows.lowerBound * rowLength)..<(rows.upperBound * rowLength)])
        case .rows(let reader):
            var buffer = [Float](repeating: 0, count: rows.count * rowLength)
            if !rows.isEmpty { buffer.withUnsafeMutableBufferPointer { reader(rows, $0) } }
            return buffer
        }
    }

    /// Refuses a result of `count` values above `valueLimit`.
    func checkSize(_ count: Int, making what: String) throws(CommandError) {
        guard count > Self.valueLimit else { return }
        let example = rowCount > 1 ? "\(name)[0:\(max(1, Self.valueLimit / max(1, rowLength) / 4))]" : "\(name)[0:\(Self.valueLimit / 4)]"
        throw CommandError("TooLarge", "\(what) would hold \(NumberText.grouped(count)) values (\(NumberText.bytes(count * 4))), "
                           + "above the \(NumberText.bytes(Self.byteLimit)) a tensor value may hold; take a slice first, e.g. \(example)")
    }

    /// Statistics of every value, read in chunks of rows (a quantized weight is dequantized a
    /// few rows at a time and never whole).
    public var statistics: TensorStatistics {
        if let cachedStatistics { return cachedStatistics }
        let result: TensorStatistics
        if case .dense(let values) = source {
            result = TensorStatistics(values)
        } else {
            var accumulator = TensorStatistics.Accumulator()
            let chunk = max(1, (1 << 20) / max(1, rowLength))
            var start = 0
            while start < rowCount {
                let end = min(rowCount, start + chunk)
                accumulator.add(read(rows: start..<end))
                start = end
            }
            result = accumulator.statistics
        }
        cachedStatistics = result
        return result
    }

    private var cachedStatistics: TensorStatistics?

    // MARK: Fields

    public var typeName: String { "tensor" }

    public var fieldNames: [String] { ["shape", "dtype", "count", "mean", "std", "norm", "min", "max", "nonfinite", "labels", "T", "rows"] }

    public func field(_ name: String) -> ScriptValue? {
        try? fieldValue(name)
    }

    public func fieldValue(_ field: String) throws(CommandError) -> ScriptValue? {
        switch field {
        case "shape": return .list(shape.map { .number(Double($0)) })
        case "dtype": return .string(dtype)
        case "count": return .number(Double(count))
        case "mean": return .number(statistics.mean)
        case "std": return .number(statistics.std)
        case "norm": return .number(statistics.norm)
        case "min": return .number(statistics.min)
        case "max": return .number(statistics.max)
        case "nonfinite": return .number(Double(statistics.nonFinite))
        case "labels": return .list(labels.map { $0.map { .list($0.map(ScriptValue.string)) } ?? .none })
        case "T": return .opaque(try transposed())
        case "rows": return .function(rowsFunction)
        default: return nil
        }
    }

    /// `w.rows(i, j)`: rows `i ..< j` of the first dimension, as `w[i:j]`.
    private var rowsFunction: ScriptFunction {
        let builtin = Builtin(name: "rows", usage: "w.rows(i, j)", summary: "rows i up to, not including, j of the first dimension") { [self] args, at throws(CommandError) in
            guard args.count == 2 else { throw at.error("rows takes 2 arguments, got \(args.count): \(name).rows(i, j)") }
            let start = try at.integer(args, 0), end = try at.integer(args, 1)
            do throws(CommandError) { return try subscripted([.range(start: start, end: end)]) ?? .none } catch { throw error.located(default: at.range) }
        }
        return ScriptFunction(name: "\(name).rows", parameters: ["i", "j"], body: .builtin(builtin))
    }

    // MARK: Indexing

    public func subscripted(_ items: [ScriptSubscript]) throws(CommandError) -> ScriptValue? {
        let sliceItems = items.map { item -> SliceItem in
            switch item {
            case .index(let index): return .index(index)
            case .range(let start, let end): return .range(start: start, end: end, step: nil)
            }
        }
        let selection = try TensorSelection(items: sliceItems, shape: shape, name: name)
        try checkSize(selection.count, making: "the slice")
        let length = rowLength
        var cachedRow = -1
        var row: [Float] = []
        let values = selection.gather(shape: shape) { flat in
            let r = flat / length
            if r != cachedRow {
                row = read(rows: r..<(r + 1))
                cachedRow = r
            }
            return row[flat - r * length]
        }
        if selection.shape.isEmpty { return .number(Double(values[0])) }
        var keptLabels: [[String]?] = []
        for d in shape.indices where selection.keptDimensions[d] {
            keptLabels.append(labels[d].map { list in selection.positions[d].map { list[$0] } })
        }
        let written = items.map { item -> String in
            switch item {
            case .index(let index): return String(index)
            case .range(let start, let end): return (start.map(String.init) ?? "") + ":" + (end.map(String.init) ?? "")
            }
        }
        return .opaque(TensorValue(name: "\(name)[\(written.joined(separator: ", "))]", shape: selection.shape, values: values, labels: keptLabels))
    }

    /// `w.T`: the matrix transposed (`[m, n]` → `[n, m]`).
    func transposed() throws(CommandError) -> TensorValue {
        guard shape.count == 2 else {
            throw CommandError("ShapeError", "\(name).T needs a matrix (2 dimensions); \(name) has shape \(shapeText)")
        }
        let (m, n) = (shape[0], shape[1])
        let source = try values()
        var out = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { out[j * m + i] = source[i * n + j] } }
        return TensorValue(name: "\(name).T", shape: [n, m], values: out, labels: [labels[1], labels[0]])
    }

    // MARK: Arithmetic

    public func combined(_ op: BinaryOperator, with other: ScriptValue, selfOnLeft: Bool) throws(CommandError) -> ScriptValue? {
        let symbol: String
        let apply: (Double, Double) -> Double
        switch op {
        case .add: symbol = "+"; apply = { $0 + $1 }
        case .subtract: symbol = "-"; apply = { $0 - $1 }
        case .multiply: symbol = "*"; apply = { $0 * $1 }
        case .divide: symbol = "/"; apply = { $0 / $1 }
        default:
            throw CommandError("TypeError", "'\(op.rawValue)' does not apply to tensors (they take + - * /); "
                               + "compare a statistic instead, e.g. \(name).max \(op.rawValue) 1")
        }
        switch other {
        case .number(let x):
            if op == .divide, selfOnLeft, x == 0 { throw CommandError("TypeError", "division by zero: \(name) / 0") }
            let left = selfOnLeft ? "\(name)" : ScriptValue.numberText(x), right = selfOnLeft ? ScriptValue.numberText(x) : "\(name)"
            let mine = try values()
            let out = mine.map { Float(selfOnLeft ? apply(Double($0), x) : apply(x, Double($0))) }
            return .opaque(TensorValue(name: "(\(left) \(symbol) \(right))", shape: shape, values: out, labels: labels))
        case .opaque(let object):
            guard let tensor = object as? TensorValue else { return nil }
            let (a, b) = selfOnLeft ? (self, tensor) : (tensor, self)
            guard a.shape == b.shape else {
                throw CommandError("ShapeError", "shape mismatch for '\(symbol)': \(a.name) is \(a.shapeText), \(b.name) is \(b.shapeText); "
                                   + "elementwise arithmetic needs the same shape (slice one, or use .T)")
            }
            let x = try a.values(), y = try b.values()
            var out = [Float](repeating: 0, count: x.count)
            for i in out.indices { out[i] = Float(apply(Double(x[i]), Double(y[i]))) }
            let kept = zip(a.labels, b.labels).map { $0 ?? $1 }
            return .opaque(TensorValue(name: "(\(a.name) \(symbol) \(b.name))", shape: a.shape, values: out, labels: kept))
        default:
            return nil
        }
    }

    // MARK: Printing

    /// `tensor w [64, 8] float32 · 512 values`, the statistics and at most 8 × 8 values.
    public var displayText: String {
        var lines = ["tensor \(name) \(shapeText) \(dtype) · \(NumberText.grouped(count)) values"]
        lines.append(statistics.line)
        if count > 0 {
            // The first rows only (one slab of a 3-D tensor): the block prints at most 8 × 8.
            let shownRows = shape.count > 2 ? 1 : min(rowCount, TensorFormatting.maxRows)
            let sample = read(rows: 0..<shownRows)
            lines.append(TensorFormatting.block(sample, shape: shape.isEmpty ? [] : [shownRows] + shape.dropFirst()))
            if rowCount > shownRows {
                let unit = shape.count == 1 ? "values" : shape.count == 2 ? "rows" : "of the first dimension"
                lines.append("  … (\(rowCount - shownRows) more \(unit))")
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension TensorValue {
    /// A model parameter by name (short or Hugging Face), with `.grad` for its gradient: a copy
    /// of a float32 tensor within the limit (later training does not change it), a float32
    /// tensor above it read in place, a quantized weight dequantized row by row as it is read.
    static func parameter(_ entry: TensorCatalog.Entry, gradient: Bool) throws(CommandError) -> TensorValue {
        let label = entry.short + (gradient ? ".grad" : "")
        switch entry.storage {
        case .quantized(let matrix):
            if gradient {
                throw CommandError("NotFound", "\(entry.short) is stored quantized (\(matrix.type)) and stays frozen, so it has no gradient; "
                                   + "LoRA and QLoRA train adapter matrices beside it (list \(entry.short))")
            }
            return TensorValue(name: label, shape: matrix.shape, dtype: "\(matrix.type)") { rows, buffer in
                matrix.dequantize(rows: rows, into: buffer)
            }
        case .float32(let parameter):
            var tensor = parameter
            if gradient {
                guard let grad = parameter.grad else {
                    throw CommandError("NotFound", "\(entry.short) has no gradient yet: gradients exist after a training step on a trainable tensor")
                }
                tensor = grad
            }
            let shape = tensor.shape
            if tensor.count <= valueLimit {
                let values = withExtendedLifetime(tensor) { Array(UnsafeBufferPointer(start: tensor.pointer, count: tensor.count)) }
                return TensorValue(name: label, shape: shape, values: values)
            }
            let length = shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *)
            return TensorValue(name: label, shape: shape, dtype: "float32") { rows, buffer in
                withExtendedLifetime(tensor) {
                    let start = tensor.pointer + rows.lowerBound * length
                    buffer.baseAddress!.update(from: start, count: rows.count * length)
                }
            }
        }
    }
}
