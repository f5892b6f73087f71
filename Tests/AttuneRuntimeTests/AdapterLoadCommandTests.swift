import Foundation
import XCTest
@testable import AttuneRuntime

/// `adapter load`: a saved adapter reproduces the trained model exactly; every problem names the
/// file and the fix and leaves the model as it was.
final class AdapterLoadCommandTests: XCTestCase {
    /// A tiny LoRA run of 3 steps saved to `folder/lora`; returns the trained model's greedy reply.
    func trainAndSave(_ interpreter: Interpreter, folder: URL) -> String {
        interpreter.session.paths = .unrestricted(base: folder)
        ok(interpreter, "method lora r=4 alpha=8 targets=[q_proj, v_proj, down_proj] dropout=0.1")
        ok(interpreter, "set lr=5e-3 batch=2 seq=768 warmup=0 schedule=constant")
        ok(interpreter, "train steps=3")
        ok(interpreter, "adapter save \"lora\"")
        return ok(interpreter, "generate \"How do I reset my password?\" max=24")
    }

    func testALoadedAdapterReproducesTheTrainedModelExactly() throws {
        let folder = temporaryFolder()
        let trained = try interpreterWithData()
        let tunedReply = trainAndSave(trained, folder: folder)
        let tunedLogits = ok(trained, "logits \"Where are my invoices?\" top=5")

        let fresh = makeInterpreter(tiny: true)
        fresh.session.paths = .unrestricted(base: folder)
        XCTAssertNotEqual(ok(fresh, "logits \"Where are my invoices?\" top=5"), tunedLogits, "three steps at lr 5e-3 change the logits")
        let text = ok(fresh, "adapter load \"lora\"")
        XCTAssertEqual(text, "loaded a PEFT LoRA adapter from lora onto tiny: r=4 alpha=8 · q_proj, v_proj, down_proj in all 2 layers · 6 modules · 3,712 parameters")
        XCTAssertEqual(ok(fresh, "generate \"How do I reset my password?\" max=24"), tunedReply)
        XCTAssertEqual(ok(fresh, "logits \"Where are my invoices?\" top=5"), tunedLogits)
        XCTAssertNotNil(fresh.session.adapter)
        // Loading it again replaces the first copy (not wrapping twice): same answers.
        ok(fresh, "adapter load \"lora\"")
        XCTAssertEqual(ok(fresh, "generate \"How do I reset my password?\" max=24"), tunedReply)
    }

    func testProblemsNameTheFileAndTheFixAndChangeNothing() throws {
        let folder = temporaryFolder()
        let trained = try interpreterWithData()
        let tunedReply = trainAndSave(trained, folder: folder)

        XCTAssertEqual(failure(makeInterpreter(), "adapter load \"lora\"").name, "NoModel")

        let session = makeInterpreter(tiny: true)
        session.session.paths = .unrestricted(base: folder)
        let missing = failure(session, "adapter load \"nowhere\"")
        XCTAssertEqual(missing.name, "NotFound")
        XCTAssertTrue(missing.message.contains("no adapter folder at nowhere") && missing.message.contains("adapter save"), missing.message)

        // A model of another width: the shapes do not fit.
        let narrow = makeInterpreter()
        narrow.session.paths = .unrestricted(base: folder)
        ok(narrow, "model new tiny dim=32 heads=4")
        let shape = failure(narrow, "adapter load \"lora\"")
        XCTAssertEqual(shape.name, "AdapterMismatch")
        XCTAssertTrue(shape.message.contains("lora/adapter_model.safetensors") && shape.message.contains("does not match"), shape.message)
        XCTAssertNil(narrow.session.adapter)

        // Another base model named in the config: refused unless force=true.
        let other = folder.appendingPathComponent("other")
        try FileManager.default.copyItem(at: folder.appendingPathComponent("lora"), to: other)
        let configURL = other.appendingPathComponent("adapter_config.json")
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as! [String: Any]
        config["base_model_name_or_path"] = "HuggingFaceTB/SmolLM2-135M-Instruct"
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
        ok(session, "adapter load \"lora\"")
        let base = failure(session, "adapter load \"other\"")
        XCTAssertEqual(base.name, "AdapterMismatch")
        XCTAssertTrue(base.message.contains("trained on HuggingFaceTB/SmolLM2-135M-Instruct") && base.message.contains("force=true"), base.message)
        XCTAssertEqual(ok(session, "generate \"How do I reset my password?\" max=24"), tunedReply, "the loaded adapter stays on")
        ok(session, "adapter load \"other\" force=true")
        XCTAssertEqual(ok(session, "generate \"How do I reset my password?\" max=24"), tunedReply)

        // A folder without its weights: the file is named, the previous adapter stays on.
        try FileManager.default.removeItem(at: other.appendingPathComponent("adapter_model.safetensors"))
        let noWeights = failure(session, "adapter load \"other\" force=true")
        XCTAssertEqual(noWeights.name, "NotFound")
        XCTAssertTrue(noWeights.message.contains("other/adapter_model.safetensors: missing"), noWeights.message)
        XCTAssertEqual(ok(session, "generate \"How do I reset my password?\" max=24"), tunedReply)

        // A config naming a module the weights lack.
        let third = folder.appendingPathComponent("third")
        try FileManager.default.copyItem(at: folder.appendingPathComponent("lora"), to: third)
        var thirdConfig = try JSONSerialization.jsonObject(with: Data(contentsOf: third.appendingPathComponent("adapter_config.json"))) as! [String: Any]
        thirdConfig["target_modules"] = ["q_proj", "k_proj", "v_proj", "down_proj"]
        try JSONSerialization.data(withJSONObject: thirdConfig).write(to: third.appendingPathComponent("adapter_config.json"))
        let target = failure(session, "adapter load \"third\"")
        XCTAssertTrue(target.message.contains("k_proj.lora_A.weight: missing"), target.message)
    }

    func testTrainingAfterALoadStartsANewAdapter() throws {
        let folder = temporaryFolder()
        let trained = try interpreterWithData()
        _ = trainAndSave(trained, folder: folder)
        let next = try interpreterWithData()
        next.session.paths = .unrestricted(base: folder)
        ok(next, "adapter load \"lora\"")
        ok(next, "method lora r=2")
        ok(next, "set seq=768 batch=2")
        ok(next, "train steps=1")
        XCTAssertNil(next.session.loadedAdapter)
        XCTAssertEqual(next.session.adapter?.configuration.rank, 2)
    }

    func testComparableNamesIgnoreFoldersExtensionsAndQuantization() {
        XCTAssertEqual(AdapterLoadCommand.comparableName("HuggingFaceTB/SmolLM2-135M-Instruct"),
                       AdapterLoadCommand.comparableName("SmolLM2-135M-Instruct.Q4_1.gguf"))
        XCTAssertNotEqual(AdapterLoadCommand.comparableName("SmolLM2-135M"), AdapterLoadCommand.comparableName("SmolLM2-135M-Instruct"))
        XCTAssertEqual(AdapterLoadCommand.comparableName("tiny"), "tiny")
    }
}
