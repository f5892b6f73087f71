@testable import AttuneRuntime
import Models
import Plotting
import TensorCore
import XCTest

/// Tensors as values (issue #20): every operation against a Float64 reference computed here from
/// the model's own parameters, the size limit, rows read on demand, and an error for every kind
/// of bad input.
final class TensorValueTests: XCTestCase {
    /// The tensor a variable holds.
    private func tensor(_ interpreter: Interpreter, _ name: String, file: StaticString = #filePath, line: UInt = #line) -> TensorValue? {
        guard case .opaque(let object)? = interpreter.session.variables.lookup(name), let tensor = object as? TensorValue else {
            XCTFail("\(name) holds no tensor", file: file, line: line)
            return nil
        }
        return tensor
    }

    private func number(_ interpreter: Interpreter, _ name: String) -> Double? {
        if case .number(let value)? = interpreter.session.variables.lookup(name) { return value }
        return nil
    }

    /// A parameter's values as doubles, row-major.
    private func reference(_ interpreter: Interpreter, _ name: String) -> (shape: [Int], values: [Double]) {
        let tensor = interpreter.session.model!.catalog.entry(name)!.tensor
        return (tensor.shape, tensor.values.map(Double.init))
    }

    func testStatisticsOfAParameterMatchFloat64() throws {
        let interpreter = makeInterpreter(tiny: true)
        ok(interpreter, """
            w = layers.0.attn.q_proj
            let stats = [w.mean, w.std, w.norm, w.min, w.max, w.count]
            let shape = w.shape
            let dtype = w.dtype
            """)
        let (shape, x) = reference(interpreter, "layers.0.attn.q_proj")
        let n = Double(x.count)
        let mean = x.reduce(0, +) / n
        let std = (x.map { $0 * $0 }.reduce(0, +) / n - mean * mean).squareRoot()
        let expected = [mean, std, x.map { $0 * $0 }.reduce(0, +).squareRoot(), x.min()!, x.max()!, n]
        guard case .list(let stats)? = interpreter.session.variables.lookup("stats") else { return XCTFail("no stats") }
        for (value, want) in zip(stats, expected) {
            guard case .number(let got) = value else { return XCTFail("\(value)") }
            XCTAssertEqual(got, want, accuracy: 1e-12 * max(1, abs(want)))
        }
        XCTAssertEqual(interpreter.session.variables.lookup("shape"), .list(shape.map { .number(Double($0)) }))
        XCTAssertEqual(interpreter.session.variables.lookup("dtype"), .string("float32"))
        // `show w` prints the same statistics as `show layers.0.attn.q_proj`.
        XCTAssertTrue(ok(interpreter, "print w").isEmpty)
        let shown = ok(interpreter, "show layers.0.attn.q_proj").split(separator: "\n")[2]
        XCTAssertEqual(tensor(interpreter, "w")?.statistics.line, String(shown))
    }

    func testSlicesElementwiseArithmeticAndTranspose() throws {
        let interpreter = makeInterpreter(tiny: true)
        ok(interpreter, """
            s = layers.0.attn.q_proj[0:4, :8]
            k = layers.0.attn.k_proj[1:5, 8:16]
            a = s * 2 + 1
            b = 1 - s / 4
            c = s + k
            d = s * k - k
            e = -s
            t = s.T
            r = layers.1.mlp.down_proj.rows(2, 5)
            one = s[1, 3]
            col = s[:, 2]
            """)
        let (_, q) = reference(interpreter, "layers.0.attn.q_proj")
        let (_, kp) = reference(interpreter, "layers.0.attn.k_proj")
        let (downShape, down) = reference(interpreter, "layers.1.mlp.down_proj")
        let s = (0..<4).flatMap { r in (0..<8).map { c in q[r * 64 + c] } }
        let k = (1..<5).flatMap { r in (8..<16).map { c in kp[r * 64 + c] } }
        func check(_ name: String, _ shape: [Int], _ want: [Double], line: UInt = #line) {
            guard let got = tensor(interpreter, name) else { return }
            XCTAssertEqual(got.shape, shape, name, line: line)
            let values = (try? got.values()) ?? []
            XCTAssertEqual(values.count, want.count, name, line: line)
            // Each result is the Float64 value rounded once to float32.
            for (g, w) in zip(values, want) { XCTAssertEqual(g, Float(w), "\(name)", line: line) }
        }
        check("s", [4, 8], s)
        check("a", [4, 8], s.map { Double(Float($0 * 2)) + 1 })
        check("b", [4, 8], s.map { 1 - $0 / 4 })
        check("c", [4, 8], zip(s, k).map { $0 + $1 })
        check("d", [4, 8], zip(s, k).map { Double(Float($0 * $1)) - $1 })
        check("e", [4, 8], s.map { -$0 })
        check("t", [8, 4], (0..<8).flatMap { c in (0..<4).map { r in s[r * 8 + c] } })
        check("r", [3, downShape[1]], Array(down[(2 * downShape[1])..<(5 * downShape[1])]))
        check("col", [4], (0..<4).map { s[$0 * 8 + 2] })
        XCTAssertEqual(number(interpreter, "one"), Double(Float(s[1 * 8 + 3])))
        XCTAssertEqual(tensor(interpreter, "a")?.name, "((layers.0.attn.q_proj[0:4, :8] * 2) + 1)")
    }

    func testMatmulCosineAndTopkMatchFloat64() throws {
        let interpreter = makeInterpreter(tiny: true)
        ok(interpreter, """
            a = layers.0.attn.q_proj[0:3, :]
            b = layers.0.attn.k_proj[0:5, :]
            m = matmul(a, b.T)
            v = matmul(a, b[0])
            let c = cosine(a[0], b[0])
            let same = cosine(a, a)
            top = topk(layers.0.attn.q_proj, 4)
            """)
        let (_, q) = reference(interpreter, "layers.0.attn.q_proj")
        let (_, kp) = reference(interpreter, "layers.0.attn.k_proj")
        func dot(_ i: Int, _ j: Int) -> Double { (0..<64).reduce(0) { $0 + q[i * 64 + $1] * kp[j * 64 + $1] } }
        guard let m = tensor(interpreter, "m"), let v = tensor(interpreter, "v") else { return }
        XCTAssertEqual(m.shape, [3, 5])
        let mv = try m.values()
        for i in 0..<3 { for j in 0..<5 { XCTAssertEqual(Double(mv[i * 5 + j]), dot(i, j), accuracy: 1e-6 * max(1, abs(dot(i, j)))) } }
        XCTAssertEqual(v.shape, [3])
        XCTAssertEqual(try v.values(), (0..<3).map { Float(dot($0, 0)) })
        let normA = (0..<64).reduce(0.0) { $0 + q[$1] * q[$1] }.squareRoot(), normB = (0..<64).reduce(0.0) { $0 + kp[$1] * kp[$1] }.squareRoot()
        XCTAssertEqual(number(interpreter, "c")!, dot(0, 0) / (normA * normB), accuracy: 1e-12)
        XCTAssertEqual(number(interpreter, "same")!, 1, accuracy: 1e-12)
        guard case .record(let top)? = interpreter.session.variables.lookup("top") else { return XCTFail("topk gave no record") }
        let ranked = q.indices.sorted { q[$0] != q[$1] ? q[$0] > q[$1] : $0 < $1 }.prefix(4)
        XCTAssertEqual(top["values"], .list(ranked.map { .number(q[$0]) }))
        XCTAssertEqual(top["indices"], .list(ranked.map { .number(Double($0)) }))
        XCTAssertEqual(top["positions"], .list(ranked.map { .list([.number(Double($0 / 64)), .number(Double($0 % 64))]) }))
    }

    func testGradientsAndLoRAMatrices() throws {
        let interpreter = makeInterpreter()
        ok(interpreter, """
            model new tiny ctx=1024
            data load "\(Self.supportData)"
            data split train=0.9 val=0.1
            method lora r=4 alpha=8 targets=[q_proj, v_proj]
            set batch=2 seq=1024
            train steps=1
            g = layers.0.attn.q_proj.lora_B.grad
            let after = layers.0.attn.q_proj.lora_B.norm
            let gnorm = layers.0.attn.q_proj.lora_B.grad.norm
            """)
        XCTAssertGreaterThan(number(interpreter, "after") ?? 0, 0)
        guard let grad = interpreter.session.tensorEntry("layers.0.attn.q_proj.lora_B")?.tensor.grad else { return XCTFail("no gradient of lora_B") }
        let want = grad.values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        XCTAssertEqual(number(interpreter, "gnorm")!, want, accuracy: 1e-12 * max(1, want))
        XCTAssertEqual(tensor(interpreter, "g")?.shape, grad.shape)
        XCTAssertEqual(tensor(interpreter, "g")?.name, "layers.0.attn.q_proj.lora_B.grad")
        // Before training there is no adapter yet, and the message says when there will be one.
        let fresh = makeInterpreter(tiny: true)
        ok(fresh, "method lora r=4 alpha=8 targets=[q_proj, v_proj]")
        XCTAssertEqual(failure(fresh, "b = layers.0.attn.q_proj.lora_B").message,
                       "line 1, column 5: no tensor 'layers.0.attn.q_proj.lora_B' yet: LoRA matrices exist once training has started (train) "
                       + "or an adapter is loaded (adapter load PATH)")
    }

    static var supportData: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Notebooks/data/support.jsonl").path
    }

    func testRowsAreReadOnDemandAndTheSizeLimitAsksForASlice() throws {
        // 20,000 × 1,000 values (76 MiB): above the limit, read only as rows are asked for.
        final class Counter: @unchecked Sendable { var rows: [Range<Int>] = [] }
        let counter = Counter()
        let big = TensorValue(name: "big", shape: [20_000, 1_000], dtype: "Q8_0") { rows, buffer in
            counter.rows.append(rows)
            for (i, r) in rows.enumerated() { for c in 0..<1_000 { buffer[i * 1_000 + c] = Float(r % 7) - 3 + Float(c) / 1_000 } }
        }
        guard case .opaque(let slice as TensorValue)? = try big.subscripted([.range(start: 10, end: 12), .range(start: nil, end: 3)]) else {
            return XCTFail("no slice")
        }
        XCTAssertEqual(counter.rows, [10..<11, 11..<12], "a slice reads only its rows")
        XCTAssertEqual(try slice.values(), [0, 0.001, 0.002, 1, 1.001, 1.002].map { Float($0) })
        XCTAssertThrowsError(try big.values()) { error in
            let message = (error as! CommandError).message
            XCTAssertEqual(message, "big would hold 20,000,000 values (76.3 MiB), above the 64.0 MiB a tensor value may hold; "
                           + "take a slice first, e.g. big[0:4194]")
        }
        XCTAssertThrowsError(try big.combined(.multiply, with: .number(2), selfOnLeft: true))
        counter.rows = []
        // Statistics stream over chunks of rows: never the whole tensor at once.
        let mean = big.statistics.mean
        XCTAssertEqual(counter.rows.reduce(0) { $0 + $1.count }, 20_000)
        XCTAssertLessThanOrEqual(counter.rows.map(\.count).max()!, 1_048)
        var sum = 0.0
        for r in 0..<20_000 { for c in 0..<1_000 { sum += Double(Float(r % 7) - 3 + Float(c) / 1_000) } }
        XCTAssertEqual(mean, sum / 20_000_000, accuracy: 1e-12)
    }

    func testQuantizedWeightsAreDequantizedForArithmetic() throws {
        let tiny = try LoadedModel.tiny(seed: 42).model
        let weight = tiny.parameter("model.layers.0.self_attn.q_proj.weight")
        let q = try QuantizedMatrix(quantizing: weight.values, rows: 64, cols: 64, type: .q8_0)
        let model = try LlamaModel(config: tiny.config, quantizedWeights: ["model.layers.0.self_attn.q_proj.weight": q])
        let interpreter = makeInterpreter()
        interpreter.session.model = SessionModel(name: "tiny-q8", origin: "test", model: model, tokenizer: nil, tokenizerSummary: "none")
        ok(interpreter, """
            w = layers.0.attn.q_proj
            let dtype = w.dtype
            let mean = w.mean
            s = w[2:4, :4] * 10
            """)
        let dense = q.dequantized().map(Double.init)
        XCTAssertEqual(interpreter.session.variables.lookup("dtype"), .string("Q8_0"))
        XCTAssertEqual(number(interpreter, "mean")!, dense.reduce(0, +) / 4096, accuracy: 1e-12)
        XCTAssertEqual(try tensor(interpreter, "s")?.values(), (2..<4).flatMap { r in (0..<4).map { Float(dense[r * 64 + $0] * 10) } })
        XCTAssertEqual(failure(interpreter, "g = layers.0.attn.q_proj.grad").message,
                       "line 1, column 5: layers.0.attn.q_proj is stored quantized (Q8_0) and stays frozen, so it has no gradient; "
                       + "LoRA and QLoRA train adapter matrices beside it (list layers.0.attn.q_proj)")
    }

    func testErrorsNameThePlaceAndTheFix() {
        let interpreter = makeInterpreter(tiny: true)
        let cases: [(String, String, String)] = [
            ("w = layers.0.attn.q_prj", "NameError", "line 1, column 5: no tensor or variable 'layers.0.attn.q_prj' — did you mean 'layers.0.attn.q_proj'?"),
            ("w = layers.0.attn.q_proj.grad", "NotFound",
             "line 1, column 5: layers.0.attn.q_proj has no gradient yet: gradients exist after a training step on a trainable tensor"),
            ("w = layers.0.attn.q_proj + layers.0.mlp.up_proj", "ShapeError",
             "line 1, column 5: shape mismatch for '+': layers.0.attn.q_proj is [64, 64], layers.0.mlp.up_proj is [176, 64]; "
             + "elementwise arithmetic needs the same shape (slice one, or use .T)"),
            ("m = matmul(layers.0.mlp.up_proj, layers.0.mlp.up_proj)", "ShapeError",
             "line 1, column 5: matmul needs the inner sizes to agree: layers.0.mlp.up_proj is [176, 64] and layers.0.mlp.up_proj is [176, 64] (64 ≠ 176); transpose one with .T"),
            ("let x = layers.0.attn.q_proj < 1", "TypeError",
             "line 1, column 9: '<' does not apply to tensors (they take + - * /); compare a statistic instead, e.g. layers.0.attn.q_proj.max < 1"),
            ("x = layers.0.attn.q_proj[64]", "InvalidValue", "line 1, column 26: index 64 is outside dimension 0 of layers.0.attn.q_proj, which has size 64"),
            ("x = layers.0.attn.q_proj[0, 0, 0]", "InvalidValue", "line 1, column 5: layers.0.attn.q_proj has 2 dimensions [64, 64], the slice has 3 items"),
            ("x = layers.0.attn_norm.T", "ShapeError", "line 1, column 24: layers.0.attn_norm.T needs a matrix (2 dimensions); layers.0.attn_norm has shape [64]"),
            ("x = layers.0.attn.q_proj / 0", "TypeError", "line 1, column 5: division by zero: layers.0.attn.q_proj / 0"),
            ("x = layers.0.attn.q_proj.sum", "NameError",
             "line 1, column 26: a tensor has no field 'sum' (fields: shape, dtype, count, mean, std, norm, min, max, nonfinite, labels, T, rows)"),
            ("t = topk(layers.0.attn.q_proj, 0)", "InvalidValue", "line 1, column 32: topk needs k from 1 to 4096 for layers.0.attn.q_proj [64, 64], not 0"),
            ("c = cosine(layers.0.attn.q_proj, 3)", "TypeError", "line 1, column 34: cosine needs a tensor, not a number; name one, e.g. layers.0.attn.q_proj"),
            ("c = cosine(layers.0.attn.q_proj, layers.0.mlp.up_proj)", "ShapeError",
             "line 1, column 5: cosine compares tensors of one shape: layers.0.attn.q_proj is [64, 64], layers.0.mlp.up_proj is [176, 64]"),
            ("r = layers.0.attn.q_proj.rows(1)", "TypeError", "line 1, column 5: rows takes 2 arguments, got 1: layers.0.attn.q_proj.rows(i, j)"),
            ("h = hist(layers.0.attn.q_proj, 0)", "TypeError", "line 1, column 32: hist takes 1 to 200 bins, not 0"),
            ("h = heatmap(layers.0.attn_norm)", "TypeError",
             "line 1, column 13: heatmap draws a matrix (2 dimensions); layers.0.attn_norm has shape [64]: index it, e.g. layers.0.attn_norm[0]"),
            ("h = heatmap(embed)", "TypeError",
             "line 1, column 13: heatmap draws at most 256 × 256 cells; embed is [259, 64]: take a slice, e.g. embed[0:64, 0:64]"),
            ("plot layers.0.attn_norm", "InvalidValue", ""),
        ]
        for (source, name, message) in cases {
            let error = failure(interpreter, source)
            XCTAssertEqual(error.name, name, source)
            if !message.isEmpty { XCTAssertEqual(error.message, message, source) }
        }
        let noModel = failure(makeInterpreter(), "w = layers.0.attn.q_proj")
        XCTAssertEqual(noModel.message, "line 1, column 5: 'layers' names a model tensor, and no model is loaded: create one with model new tiny "
                       + "or load one with model load PATH")
        ok(interpreter, "w = layers.0.attn.q_proj")
        XCTAssertEqual(failure(interpreter, "plot w").message,
                       "line 1, column 6: plot draws logged series or a chart such as hist(w), heatmap(t) or bar(xs); this is a tensor: wrap it, e.g. plot hist(w)")
    }
}
