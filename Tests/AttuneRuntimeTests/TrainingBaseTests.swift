import Foundation
import Models
import TensorCore
import XCTest
@testable import AttuneRuntime

/// What `train` does to the base model: full fine-tuning densifies a quantized model, `lora
/// base=bf16` stores the frozen matrices in bfloat16, and the memory plan comes first.
final class TrainingBaseTests: XCTestCase {
    /// The tiny model's matrices re-stored as `type`, as a GGUF file would hold them.
    func useQuantizedModel(_ interpreter: Interpreter, _ type: GGMLType) throws {
        let loaded = try XCTUnwrap(interpreter.session.model)
        let quantized = try loaded.model.converted(to: type)
        interpreter.session.model = SessionModel(name: loaded.name, origin: loaded.origin, model: quantized, tokenizer: loaded.tokenizer,
                                                 tokenizerSummary: loaded.tokenizerSummary, engine: nil)
    }

    func firstLoss(_ interpreter: Interpreter) throws -> Double {
        try XCTUnwrap(interpreter.session.training?.trainer.losses.first)
    }

    func testFullFineTuningOfAQuantizedModelTrainsAFloat32Copy() throws {
        let interpreter = try interpreterWithData()
        ok(interpreter, "model new tiny mlp=192")  // Q8_0 blocks of 32 must tile every row
        try useQuantizedModel(interpreter, .q8_0)
        XCTAssertFalse(try XCTUnwrap(interpreter.session.model).model.quantizedWeights.isEmpty)
        ok(interpreter, "method full")
        ok(interpreter, "set lr=1e-3 batch=2 seq=768 warmup=0")
        let run = interpreter.run(source: "train steps=2")
        XCTAssertNil(run.firstError.map { "\($0)" })
        let model = try XCTUnwrap(interpreter.session.model).model
        XCTAssertTrue(model.quantizedWeights.isEmpty, "the session's model is now float32")
        XCTAssertTrue(interpreter.session.training?.trainer.model === model)
        let stream = try XCTUnwrap(run.outcomes.first?.output.stream)
        XCTAssertTrue(stream.first?.hasPrefix("plan: ") ?? false, "\(stream)")
        XCTAssertTrue(stream.dropFirst().first?.contains("memory ≈") ?? false, "\(stream)")
        // The float32 copy holds the dequantized Q8_0 values: its first loss matches a dense run
        // of the same quantized weights to float rounding.
        XCTAssertTrue(try firstLoss(interpreter).isFinite)
    }

    func testLoRAOverABF16BaseStaysCloseToFloat32() throws {
        let plain = try interpreterWithData()
        ok(plain, "method lora r=4 dropout=0")
        ok(plain, "set lr=1e-3 batch=2 seq=768 warmup=0")
        ok(plain, "train steps=2")
        let bf16 = try interpreterWithData()
        let result = ok(bf16, "method lora r=4 dropout=0 base=bf16")
        XCTAssertTrue(result.contains("base=bf16"), result)
        ok(bf16, "set lr=1e-3 batch=2 seq=768 warmup=0")
        ok(bf16, "train steps=2")
        let model = try XCTUnwrap(bf16.session.model).model
        XCTAssertTrue(model.quantizedWeights.values.allSatisfy { $0.type == .bf16 } && !model.quantizedWeights.isEmpty)
        // Half the bytes of the float32 matrices (norms stay float32).
        let plainBytes = try XCTUnwrap(plain.session.model).model.weightBytes
        XCTAssertLessThan(Double(model.weightBytes), 0.51 * Double(plainBytes))
        let (a, b) = (try firstLoss(plain), try firstLoss(bf16))
        XCTAssertNotEqual(a, b, "bf16 rounding changes the numbers")
        XCTAssertEqual(a, b, accuracy: 1e-2 * a)
        XCTAssertEqual(failure(bf16, "method qlora base=bf16").name, "InvalidValue")
    }

    func testEndingAQLoRARunPutsTheOriginalProjectionsBack() throws {
        let interpreter = try interpreterWithData()
        let model = try XCTUnwrap(interpreter.session.model).model
        let before = model.linears.mapValues { ObjectIdentifier($0) }
        ok(interpreter, "method qlora r=4")
        ok(interpreter, "set batch=2 seq=768")
        ok(interpreter, "train steps=1")
        XCTAssertTrue(model.linears.values.contains { $0 is LoRALinear })
        ok(interpreter, "method lora r=4")
        XCTAssertEqual(model.linears.mapValues { ObjectIdentifier($0) }, before, "no NF4 layer is left behind")
    }

    func testCheckpointingHyperparameterGivesTheSameLosses() throws {
        func losses(_ checkpointing: Bool) throws -> [Double] {
            let interpreter = try interpreterWithData()
            ok(interpreter, "method lora r=4 dropout=0.1")
            ok(interpreter, "set lr=1e-3 batch=2 seq=768 checkpointing=\(checkpointing)")
            ok(interpreter, "train steps=3")
            XCTAssertEqual(interpreter.session.training?.trainer.model.gradientCheckpointing, checkpointing)
            return try XCTUnwrap(interpreter.session.training?.trainer.losses)
        }
        XCTAssertEqual(try losses(true), try losses(false))
    }
}

/// `checkpoint keep DIR`: last and best checkpoints written during train, and usable by resume.
final class KeptCheckpointTests: XCTestCase {
    func testLastAndBestAreKeptAndResumable() throws {
        let folder = temporaryFolder()
        let interpreter = try interpreterWithData()
        ok(interpreter, "data split train=0.75 val=0.25 seed=1")
        ok(interpreter, "method lora r=4 dropout=0")
        ok(interpreter, "set lr=3e-3 batch=2 seq=768 eval_every=2 warmup=0 schedule=constant")
        XCTAssertTrue(ok(interpreter, "checkpoint keep \"\(folder.path)/run\"").contains("keeping the last and the best"))
        let run = interpreter.run(source: "train steps=4")
        XCTAssertNil(run.firstError.map { "\($0)" })
        let stream = try XCTUnwrap(run.outcomes.first?.output.stream)
        XCTAssertTrue(stream.contains { $0.hasPrefix("kept best checkpoint: step 2") }, "\(stream)")
        let kept = try XCTUnwrap(interpreter.session.keptCheckpoints)
        let best = try XCTUnwrap(kept.best)
        XCTAssertTrue(FileManager.default.fileExists(atPath: kept.lastURL.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: kept.bestURL.path))
        // The best by validation loss is what the metrics say it is.
        let vals = interpreter.session.metrics.records(of: "run1").compactMap { r in r.valLoss.map { (r.step, $0) } }
        XCTAssertEqual(best.step, vals.min { $0.1 < $1.1 }?.0)
        // resume from last continues at step 4.
        XCTAssertTrue(ok(interpreter, "resume \"\(folder.path)/run/last.safetensors\"").contains("at step 4"))
        XCTAssertTrue(ok(interpreter, "resume \"\(folder.path)/run/best.safetensors\"").contains("at step \(best.step)"))
        ok(interpreter, "checkpoint keep off")
        XCTAssertNil(interpreter.session.keptCheckpoints)
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("file").path, contents: Data())
        XCTAssertEqual(failure(interpreter, "checkpoint keep \"\(folder.path)/file\"").name, "InvalidValue")
    }
}
