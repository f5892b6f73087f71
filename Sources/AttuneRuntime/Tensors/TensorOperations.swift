import Essentials

/// The tensor builtins' arithmetic: products, cosine similarity and the largest values, each
/// summed in double precision in index order (the same values give the same bits every run).
enum TensorOperations {
    /// `matmul(a, b)`: `[m, k] · [k, n] → [m, n]`; a vector on either side is a row (`[k] · [k, n]
    /// → [n]`) or a column (`[m, k] · [k] → [m]`). `out[i, j] = Σₚ a[i, p] · b[p, j]`.
    static func matmul(_ a: TensorValue, _ b: TensorValue) throws(CommandError) -> TensorValue {
        guard (1...2).contains(a.shape.count), (1...2).contains(b.shape.count), !(a.shape.count == 1 && b.shape.count == 1) else {
            throw CommandError("ShapeError", "matmul multiplies matrices (or a matrix and a vector): \(a.name) is \(a.shapeText), "
                               + "\(b.name) is \(b.shapeText)" + (a.shape.count == 1 && b.shape.count == 1 ? "; for two vectors use sum of (a * b) or cosine(a, b)" : ""))
        }
        let m = a.shape.count == 2 ? a.shape[0] : 1, k = a.shape.last!
        let kb = b.shape[0], n = b.shape.count == 2 ? b.shape[1] : 1
        guard k == kb else {
            throw CommandError("ShapeError", "matmul needs the inner sizes to agree: \(a.name) is \(a.shapeText) and \(b.name) is \(b.shapeText) "
                               + "(\(k) ≠ \(kb)); transpose one with .T")
        }
        try a.checkSize(m * n, making: "matmul(\(a.name), \(b.name))")
        let x = try a.values(), y = try b.values()
        var out = [Float](repeating: 0, count: m * n)
        var row = [Double](repeating: 0, count: n)
        for i in 0..<m {
            for j in 0..<n { row[j] = 0 }
            for p in 0..<k {
                let v = Double(x[i * k + p])
                if v == 0 { continue }
                for j in 0..<n { row[j] += v * Double(y[p * n + j]) }
            }
            for j in 0..<n { out[i * n + j] = Float(row[j]) }
        }
        let shape = a.shape.count == 1 ? [n] : b.shape.count == 1 ? [m] : [m, n]
        let labels: [[String]?] = a.shape.count == 1 ? [b.labels.last ?? nil] : b.shape.count == 1 ? [a.labels[0]] : [a.labels[0], b.labels[1]]
        return TensorValue(name: "matmul(\(a.name), \(b.name))", shape: shape, values: out, labels: labels)
    }

    /// `cosine(a, b) = Σ aᵢbᵢ / (‖a‖ ‖b‖)` over all values of two tensors of one shape.
    static func cosine(_ a: TensorValue, _ b: TensorValue) throws(CommandError) -> Double {
        guard a.count == b.count, a.shape == b.shape || a.shape.count == 1 || b.shape.count == 1 else {
            throw CommandError("ShapeError", "cosine compares tensors of one shape: \(a.name) is \(a.shapeText), \(b.name) is \(b.shapeText)")
        }
        let x = try a.values(), y = try b.values()
        var dot = 0.0, xx = 0.0, yy = 0.0
        for i in x.indices {
            let u = Double(x[i]), v = Double(y[i])
            dot += u * v
            xx += u * u
            yy += v * v
        }
        guard xx > 0, yy > 0 else {
            throw CommandError("InvalidValue", "cosine is undefined for a tensor of zeros: \(xx > 0 ? b.name : a.name) has norm 0 "
                               + "(a LoRA B matrix starts at zero: train first)")
        }
        return dot / (xx.squareRoot() * yy.squareRoot())
    }

    /// `topk(w, k)`: the `k` largest values (ties: the earlier position first), with their flat
    /// indices, their positions along each dimension, and their labels when the tensor has some.
    static func topk(_ tensor: TensorValue, _ k: Int) throws(CommandError) -> ScriptRecord {
        guard k >= 1, k <= min(tensor.count, 10_000) else {
            throw CommandError("InvalidValue", "topk needs k from 1 to \(min(tensor.count, 10_000)) for \(tensor.name) \(tensor.shapeText), not \(k)")
        }
        // One chunk of rows at a time: a quantized weight is never dequantized whole.
        var best: [(value: Float, index: Int)] = []
        let chunk = max(1, (1 << 20) / max(1, tensor.rowLength))
        var start = 0
        while start < tensor.rowCount {
            let end = min(tensor.rowCount, start + chunk)
            let values = tensor.read(rows: start..<end)
            let offset = start * tensor.rowLength
            for (i, v) in values.enumerated() where !v.isNaN {
                if best.count == k, let last = best.last, !(v > last.value) { continue }
                let item = (value: v, index: offset + i)
                let at = best.firstIndex { $0.value < v } ?? best.count
                best.insert(item, at: at)
                if best.count > k { best.removeLast() }
            }
            start = end
        }
        var strides = [Int](repeating: 1, count: tensor.shape.count)
        for d in stride(from: tensor.shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * tensor.shape[d + 1] }
        let positions: [ScriptValue] = best.map { item in
            .list(strides.indices.map { d in .number(Double(item.index / strides[d] % tensor.shape[d])) })
        }
        var fields: [(String, ScriptValue)] = [
            ("values", .list(best.map { .number(Double($0.value)) })),
            ("indices", .list(best.map { .number(Double($0.index)) })),
            ("positions", .list(positions)),
        ]
        if tensor.shape.count == 1, let labels = tensor.labels[0] {
            fields.append(("labels", .list(best.map { .string(labels[$0.index]) })))
        }
        return ScriptRecord(kind: "topk result", fields: fields)
    }
}
