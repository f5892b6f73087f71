import Foundation
import ModelFormats
import XCTest
@testable import AttuneRuntime

/// `export gguf` (adapter, or merged with a perplexity check) and `export merged`, and their errors.
final class ExportCommandTests: XCTestCase {
    func testExportsAfterALoRARun() throws {
        let interpreter = try interpreterWithData()
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        ok(interpreter, "data split train=0.75 val=0.25 seed=1")
        ok(interpreter, "method lora r=4 alpha=8 targets=[q_proj, v_proj]")
        ok(interpreter, "set lr=3e-3 batch=4 seq=768 warmup=0 schedule=constant")
        ok(interpreter, "train steps=2")

        let adapterText = ok(interpreter, "export gguf \"\(folder.path)/adapter.gguf\"")
        XCTAssertTrue(adapterText.hasPrefix("wrote a llama.cpp LoRA adapter to"), adapterText)
        XCTAssertTrue(adapterText.contains("4 modules × 2 F32 tensors · r=4 · adapter.lora.alpha=8"), adapterText)
        let adapterFile = try GGUFFile(contentsOf: folder.appendingPathComponent("adapter.gguf"))
        XCTAssertEqual(adapterFile["general.type"]?.string, "adapter")
        XCTAssertNotNil(adapterFile.tensorInfo(named: "blk.1.attn_v.weight.lora_b"))

        let mergedText = ok(interpreter, "export gguf \"\(folder.path)/merged.gguf\" merge=true type=q8_0 check=2")
        XCTAssertTrue(mergedText.contains("lora r=4"), mergedText)
        XCTAssertTrue(mergedText.contains("adapter folded into the original base weights (scale 2, 4 modules)"), mergedText)
        XCTAssertTrue(mergedText.contains("perplexity on 2 rows"), mergedText)
        XCTAssertTrue(mergedText.contains("written file (q8_0)"), mergedText)
        XCTAssertEqual(try GGUFFile(contentsOf: folder.appendingPathComponent("merged.gguf"))["general.file_type"], .uint32(7))

        let hfText = ok(interpreter, "export merged \"\(folder.path)/hf\"")
        XCTAssertTrue(hfText.contains("model.safetensors, config.json"), hfText)

        // Training continues after the exports (the adapter untouched, its dropout back on).
        ok(interpreter, "train steps=1")
        XCTAssertEqual(interpreter.session.training?.trainer.step, 3)
        XCTAssertTrue(interpreter.session.training?.adapter?.layers.allSatisfy { $0.layer.isTraining } ?? false)
        // The merged folder loads as a model.
        XCTAssertTrue(ok(interpreter, "model load \"\(folder.path)/hf\"").contains("hf"))
    }

    func testErrorsSayWhatIsMissing() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertEqual(failure(makeInterpreter(), "export gguf \"\(folder.path)/x.gguf\"").name, "NoModel")
        XCTAssertEqual(failure(makeInterpreter(), "export merged \"\(folder.path)/x\"").name, "NoModel")
        let tiny = makeInterpreter(tiny: true)
        let noAdapter = failure(tiny, "export gguf \"\(folder.path)/x.gguf\"")
        XCTAssertEqual(noAdapter.name, "NoAdapter")
        XCTAssertTrue(noAdapter.message.contains("merge=true"), noAdapter.message)
        XCTAssertTrue(failure(tiny, "export gguf \"\(folder.path)/x.gguf\" type=q8_0").message.contains("type=q8_0 applies to a merged model"))
        XCTAssertTrue(failure(tiny, "export gguf \"\(folder.path)/x.gguf\" merge=true type=q5").message.contains("type must be one of"))
        XCTAssertTrue(failure(tiny, "export gguf \"\(folder.path)\" merge=true").message.contains("is a folder"))

        // Without a run, merge=true writes the model as it is, and says there was nothing to check.
        let text = ok(tiny, "export gguf \"\(folder.path)/tiny.gguf\" merge=true")
        XCTAssertTrue(text.contains("the weights as loaded (no training run)"), text)
        XCTAssertTrue(text.contains("perplexity check skipped"), text)
        XCTAssertTrue(failure(tiny, "export merged \"\(folder.path)/tiny.gguf\"").message.contains("is a file"))

        let blocker = folder.appendingPathComponent("blocker")
        _ = FileManager.default.createFile(atPath: blocker.path, contents: Data())
        XCTAssertEqual(failure(tiny, "export gguf \"\(blocker.path)/sub/x.gguf\" merge=true").name, "WriteError")
        XCTAssertEqual(failure(tiny, "export merged \"\(blocker.path)/sub\"").name, "WriteError")
    }
}
