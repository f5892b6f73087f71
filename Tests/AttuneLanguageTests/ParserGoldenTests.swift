import AttuneLanguage
import XCTest

/// Table-driven golden tests: each source with its expected statements and diagnostics inline.
final class ParserGoldenTests: XCTestCase {
    func testDesignExamples() {
        assertGolden([
            ("model load smollm2", "(model load id:smollm2)"),
            ("model new tiny layers=2 dim=64 heads=4", "(model new id:tiny layers=num:2 dim=num:64 heads=num:4)"),
            ("data load \"Notebooks/data/support.jsonl\"", "(data load str:\"Notebooks/data/support.jsonl\")"),
            ("data check", "(data check)"),
            ("data split train=0.9 val=0.1 seed=42", "(data split train=num:0.9 val=num:0.1 seed=num:42)"),
            ("method lora r=16 alpha=32 targets=[q_proj, v_proj] dropout=0.05",
             "(method id:lora r=num:16 alpha=num:32 targets=[id:q_proj, id:v_proj] dropout=num:0.05)"),
            ("set lr=2e-4 batch=4 accum=4 seq=256 schedule=cosine warmup=10 epochs=1",
             "(set lr=num:0.0002 batch=num:4 accum=num:4 seq=num:256 schedule=id:cosine warmup=num:10 epochs=num:1)"),
            ("train steps=50", "(train steps=num:50)"),
            ("eval", "(eval)"),
            ("plot loss val_loss", "(plot id:loss id:val_loss)"),
            ("tokenize \"My API calls return 429\"", "(tokenize str:\"My API calls return 429\")"),
            ("logits \"The capital of France is\" top=5", "(logits str:\"The capital of France is\" top=num:5)"),
            ("show layers.0.attn.q_proj.lora_B[0:4, 0:8]", "(show path:layers.0.attn.q_proj.lora_B[0:4, 0:8])"),
            ("generate \"My API calls are returning 429 errors\" max=64 temperature=0",
             "(generate str:\"My API calls are returning 429 errors\" max=num:64 temperature=num:0)"),
            ("compare base tuned on=val[0:5]", "(compare id:base id:tuned on=path:val[0:5])"),
            ("sweep lr=[1e-4, 3e-4, 1e-3] steps=40", "(sweep lr=[num:0.0001, num:0.0003, num:0.001] steps=num:40)"),
            ("adapter save \"out/support-lora\"", "(adapter save str:\"out/support-lora\")"),
            ("export gguf \"out/support.gguf\" merge=true", "(export gguf str:\"out/support.gguf\" merge=bool:true)"),
            ("help train", "(help id:train)"),
            ("?lr", "(help id:lr)"),
        ])
    }

    func testEveryCommandOfTheStandardTable() {
        for spec in CommandTable.standard.commands {
            XCTAssertEqual(dump(spec.name), "(\(spec.name))")
        }
    }

    func testValues() {
        assertGolden([
            ("set a=2e-4 b=-1 c=0.9 d=1_000 e=90% f=2.5E+3 g=+3 h=0", "(set a=num:0.0002 b=num:-1 c=num:0.9 d=num:1000 e=pct:90% f=num:2500 g=num:3 h=num:0)"),
            ("set x=12.5% y=-5%", "(set x=pct:12.5% y=pct:-5%)"),
            ("generate \"a\\nb\\tc \\\"q\\\" \\\\ \\u{1F600} it\\'s\"", "(generate str:\"a\\nb\\tc \\\"q\\\" \\\\ 😀 it's\")"),
            ("generate 'single \"quoted\"'", "(generate str:\"single \\\"quoted\\\"\")"),
            ("generate \"\"", "(generate str:\"\")"),
            ("generate \"#not a comment\"", "(generate str:\"#not a comment\")"),
            ("set merge=true rslora=false", "(set merge=bool:true rslora=bool:false)"),
            ("method lora targets=all-linear", "(method id:lora targets=id:all-linear)"),
            ("set x=[a, [1, 2], [], [[3]]]", "(set x=[id:a, [num:1, num:2], [], [[num:3]]])"),
            ("set x=[a, b,]", "(set x=[id:a, id:b])"),
            ("set shape=(4, 8) empty=()", "(set shape=(num:4, num:8) empty=())"),
            ("model load héllo_wörld", "(model load id:héllo_wörld)"),
        ])
    }

    func testPaths() {
        assertGolden([
            ("show layers.0.attn.q_proj.lora_B[0:4, :8]", "(show path:layers.0.attn.q_proj.lora_B[0:4, :8])"),
            ("list layers.*.attn.*", "(list path:layers.*.attn.*)"),
            ("list *", "(list path:*)"),
            ("list layers.*.mlp.*_proj", "(list path:layers.*.mlp.*_proj)"),
            ("show layers.3.attn.v_proj.lora_A.grad", "(show path:layers.3.attn.v_proj.lora_A.grad)"),
            ("show lora_A.grad[0]", "(show path:lora_A.grad[0])"),
            ("show x[-1] y[-3:] z[::2] w[::-1] v[:] u[1:10:3]",
             "(show path:x[-1] path:y[-3:] path:z[::2] path:w[::-1] path:v[:] path:u[1:10:3])"),
            ("show x[0][1:2] y[0,]", "(show path:x[0][1:2] path:y[0])"),
            ("show layers.10.mlp", "(show path:layers.10.mlp)"),
            ("show token_embd", "(show id:token_embd)"),
            ("show x [0]", "(show id:x [num:0])"),
        ])
    }

    func testBindings() {
        assertGolden([
            ("base = eval", "base = (eval)"),
            ("tuned=eval", "tuned = (eval)"),
            ("run1 = train steps=10", "run1 = (train steps=num:10)"),
            ("base = eval\ncompare base tuned", "base = (eval)\n(compare id:base id:tuned)"),
        ])
    }

    func testLinesContinuationsAndComments() {
        assertGolden([
            ("", ""),
            ("   \n\n  # only a comment\n", ""),
            ("train steps=5 # go", "(train steps=num:5)"),
            ("train \\\n  steps=5", "(train steps=num:5)"),
            ("train \\   # why not\n  steps=5", "(train steps=num:5)"),
            ("method lora targets=[\n  q_proj,   # queries\n  v_proj,\n]", "(method id:lora targets=[id:q_proj, id:v_proj])"),
            ("set shape=(\n4,\n8)", "(set shape=(num:4, num:8))"),
            ("eval\r\ntrain\r\n", "(eval)\n(train)"),
            ("eval\n\n\ntrain", "(eval)\n(train)"),
            ("  eval  ", "(eval)"),
        ])
    }

    func testHelpShorthand() {
        assertGolden([
            ("?lr", "(help id:lr)"),
            ("? lr", "(help id:lr)"),
            ("?", "(help)"),
            ("?model load", "(help id:model id:load)"),
            ("help syntax", "(help id:syntax)"),
        ])
    }
}
