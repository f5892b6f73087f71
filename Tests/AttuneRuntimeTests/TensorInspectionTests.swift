@testable import AttuneRuntime
import AttuneLanguage
import XCTest

final class TensorInspectionTests: XCTestCase {
    func testParameterNameMapping() {
        let table = [
            "model.embed_tokens.weight": "embed",
            "model.norm.weight": "norm",
            "lm_head.weight": "lm_head",
            "model.layers.0.input_layernorm.weight": "layers.0.attn_norm",
            "model.layers.3.self_attn.q_proj.weight": "layers.3.attn.q_proj",
            "model.layers.3.self_attn.q_proj.bias": "layers.3.attn.q_proj.bias",
            "model.layers.1.post_attention_layernorm.weight": "layers.1.mlp_norm",
            "model.layers.1.mlp.down_proj.weight": "layers.1.mlp.down_proj",
            "base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight": "layers.0.attn.v_proj.lora_A",
        ]
        for (hf, short) in table { XCTAssertEqual(ParameterNames.short(hf), short, hf) }
    }

    func testShowPrintsShapeStatisticsAndValues() throws {
        let interpreter = makeInterpreter(tiny: true)
        let text = ok(interpreter, "show layers.0.attn.q_proj[0:2, :4]")
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "layers.0.attn.q_proj  (model.layers.0.self_attn.q_proj.weight)")
        XCTAssertEqual(lines[1], "shape [64, 64] · float32 · 4,096 values")
        XCTAssertEqual(lines[2], "slice [0:2, :4] → shape [2, 4] · 8 values")
        XCTAssertTrue(lines[3].hasPrefix("mean ") && lines[3].hasSuffix("non-finite 0"), lines[3])
        XCTAssertEqual(lines.count, 6)
        // Statistics of the slice match the values themselves.
        let tensor = try XCTUnwrap(interpreter.session.model?.catalog.entry("layers.0.attn.q_proj")?.tensor)
        let values = (0..<2).flatMap { r in (0..<4).map { c in tensor.values[r * 64 + c] } }
        XCTAssertTrue(lines[3].hasPrefix("mean \(NumberText.stat(TensorStatistics(values).mean))"))
    }

    func testHuggingFaceNamesAndIndexing() {
        let interpreter = makeInterpreter(tiny: true)
        XCTAssertTrue(ok(interpreter, "show model.layers.1.mlp.down_proj.weight[-1]").contains("slice [-1] → shape [176] · 176 values"))
        XCTAssertTrue(ok(interpreter, "show norm[::16]").contains("slice [::16] → shape [4] · 4 values"))
        XCTAssertTrue(ok(interpreter, "show embed[5, 3]").contains("slice [5, 3] → shape [] · 1 values"))
        XCTAssertTrue(ok(interpreter, "show embed[300:]").contains("(the slice is empty)"))
    }

    func testShowErrors() {
        let interpreter = makeInterpreter()
        XCTAssertEqual(failure(interpreter, "show embed").name, "NoModel")
        ok(interpreter, "model new tiny")
        XCTAssertEqual(failure(interpreter, "show layers.0.attn.q_prj").message,
                       "line 1, column 6: no tensor 'layers.0.attn.q_prj' — did you mean 'layers.0.attn.q_proj'?")
        XCTAssertEqual(failure(interpreter, "show embed[0:2, 0:2, 0]").message, "line 1, column 6: embed has 2 dimensions [259, 64], the slice has 3 items")
        XCTAssertEqual(failure(interpreter, "show embed[259]").message, "line 1, column 6: index 259 is outside dimension 0 of embed, which has size 259")
        XCTAssertEqual(failure(interpreter, "show embed[::-1]").message, "line 1, column 6: the slice step must be positive (got -1)")
        XCTAssertEqual(failure(interpreter, "show embed.grad").message,
                       "line 1, column 6: embed has no gradient yet: gradients exist after a training step on a trainable tensor")
        XCTAssertTrue(failure(interpreter, "show layers.*").message.contains("show takes one tensor; list layers.* lists"))
    }

    func testShowNamedResult() {
        let interpreter = makeInterpreter(tiny: true)
        ok(interpreter, "info = model info")
        XCTAssertTrue(ok(interpreter, "show info").hasPrefix("info = info = model info\n") || ok(interpreter, "show info").contains("model tiny"))
    }

    func testListGlobs() {
        let interpreter = makeInterpreter(tiny: true)
        XCTAssertTrue(ok(interpreter, "list").hasPrefix("20 tensors · 109,056 values"))
        XCTAssertTrue(ok(interpreter, "list layers.0").hasPrefix("9 tensors · 46,208 values"))
        let queries = ok(interpreter, "list layers.*.attn.q_proj")
        XCTAssertTrue(queries.hasPrefix("2 tensors"), queries)
        XCTAssertTrue(queries.contains("layers.1.attn.q_proj  [64, 64]  4,096"), queries)
        XCTAssertTrue(ok(interpreter, "list layers.*.*norm").hasPrefix("4 tensors"))
        XCTAssertTrue(ok(interpreter, "list layers.*.mlp.* names=hf").contains("model.layers.1.mlp.up_proj.weight"))
        XCTAssertTrue(ok(interpreter, "list model.layers.0.self_attn").hasPrefix("4 tensors"))
        XCTAssertEqual(failure(interpreter, "list layer.*").message, "line 1, column 6: no tensor matches 'layer.*'; list alone shows every tensor")
        XCTAssertTrue(failure(interpreter, "list embed[0:2]").message.contains("list takes a name pattern without slices"))
    }

    func testGlobPattern() {
        XCTAssertTrue(GlobPattern("layers.*.attn.*").matches("layers.10.attn.q_proj"))
        XCTAssertFalse(GlobPattern("layers.*.attn.*").matches("layers.10.mlp.up_proj"))
        XCTAssertTrue(GlobPattern("*_proj").matches("q_proj"))
        XCTAssertTrue(GlobPattern("a*b*c").matches("aXXbYYc"))
        XCTAssertFalse(GlobPattern("a*b*c").matches("aXXbYY"))
        XCTAssertTrue(GlobPattern("layers.1").matches("layers.1.attn.q_proj"))
        XCTAssertFalse(GlobPattern("layers.1").matches("layers.10.attn.q_proj"))
    }

    func testTokenizeAndLogits() {
        let interpreter = makeInterpreter(tiny: true)
        XCTAssertEqual(ok(interpreter, "tokenize \"Hi there\""), "8 tokens\n  ids     72 105 32 116 104 101 114 101\n  pieces  'H' 'i' 'Ġ' 't' 'h' 'e' 'r' 'e'")
        XCTAssertTrue(ok(interpreter, "tokenize \"<|im_start|>user\"").hasPrefix("5 tokens\n  ids     257 117"))
        XCTAssertTrue(ok(interpreter, "tokenize \"<|im_start|>\" special=false").hasPrefix("12 tokens"))
        let logits = ok(interpreter, "logits \"Hello\" top=3")
        XCTAssertTrue(logits.hasPrefix("next token after 5 tokens (top 3 of 259):"), logits)
        XCTAssertEqual(logits.split(separator: "\n").count, 4)
        XCTAssertEqual(logits, ok(interpreter, "logits \"Hello\" top=3"), "the same input gives the same numbers")
        XCTAssertTrue(failure(interpreter, "logits \"\"").message.contains("the text has no tokens"))
        XCTAssertTrue(failure(interpreter, "logits \"\(String(repeating: "a", count: 300))\"").message.contains("the model's context is 256"))
        XCTAssertEqual(failure(interpreter, "logits \"x\" top=0").message, "line 1, column 16: top must be at least 1 (got 0)")
    }

    func testMethod() {
        let interpreter = makeInterpreter(tiny: true)
        XCTAssertTrue(ok(interpreter, "method").hasPrefix("method lora r=16 alpha=32 targets=[q_proj, v_proj] (the default; not chosen yet)"))
        XCTAssertEqual(ok(interpreter, "method lora r=8 alpha=16 targets=[q_proj, v_proj] dropout=0.1"),
                       "method lora r=8 alpha=16 targets=[q_proj, v_proj] dropout=0.1 · 3,584 trainable parameters (3.29% of 109,056)")
        XCTAssertEqual(interpreter.session.hyperparameters.dropout, 0.1)
        XCTAssertEqual(failure(interpreter, "method lora targets=[q_proj, v_porj]").message,
                       "line 1, column 30: unknown target module 'v_porj' — did you mean 'v_proj'?")
        XCTAssertEqual(failure(interpreter, "method full r=8").message, "line 1, column 13: r applies to LoRA and QLoRA; full fine-tuning trains every weight")
        XCTAssertTrue(ok(interpreter, "method full").contains("109,056 trainable parameters (100.00% of 109,056)\nwarning: lr=2e-4 is above the guide's recommended 1e-5 … 5e-5 for full fine-tuning"))
        XCTAssertTrue(ok(interpreter, "method qlora targets=all-linear").contains("targets=[all-linear]"))
        XCTAssertEqual(failure(interpreter, "method sft").message, "line 1, column 8: method must be one of full, lora or qlora (got 'sft')")
    }
}
