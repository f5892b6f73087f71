import AttuneNotebook
import Datasets
import Essentials
import Foundation
import Training
import XCTest
@testable import AttuneRuntime

/// The shipped support conversations (`Notebooks/data/support.jsonl`), first 24 examples.
func interpreterWithData(seed: UInt64 = 42) throws -> Interpreter {
    let interpreter = makeInterpreter(tiny: true, seed: seed)
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Notebooks/data/support.jsonl").path
    let dataset = try DatasetLoader.load(path: path)
    interpreter.session.dataset = dataset.subset(Array(0..<24))
    return interpreter
}

final class TrainCommandTests: XCTestCase {
    func testAWindowTooShortForAnyTargetIsExplained() throws {
        let interpreter = try interpreterWithData()
        ok(interpreter, "set seq=64")
        let error = failure(interpreter, "train steps=1")
        XCTAssertEqual(error.name, "NoTargets")
        XCTAssertTrue(error.message.contains("raise seq"), error.message)
    }

    /// Some batches train on nothing (their examples' completions start past seq): the plan says so
    /// once, with the count; a run where every batch has a target says nothing.
    func testBatchesWithoutATrainedTokenAreNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("emptybatch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let long = String(repeating: "a very long question about invoices ", count: 6)
        let records = ["short one", "short two", long, "short three"].map { prompt in
            JSONValue.object([("prompt", .string(prompt)), ("completion", .string(" fine"))]).text()
        }
        let file = folder.appendingPathComponent("mixed.jsonl")
        try (records.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let interpreter = makeInterpreter(tiny: true)
        ok(interpreter, "data load \"\(file.path)\"")
        ok(interpreter, "set batch=1 seq=64")
        let run = interpreter.run(source: "train steps=4")
        XCTAssertNil(run.firstError.map { "\($0)" })
        let stream = try XCTUnwrap(run.outcomes.first?.output.stream)
        XCTAssertTrue(stream.contains { $0.hasPrefix("warning: 1 of 4 training batches have no trained token within seq=64") }, "\(stream)")
        XCTAssertNil(TrainCommand.emptyBatchWarning([TrainingBatch(tokens: [1, 2], labels: [-100, 2], batch: 1)], seq: 2))
        let fine = makeInterpreter(tiny: true)
        ok(fine, "data load \"\(file.path)\"")
        ok(fine, "set batch=1 seq=256")
        let fineRun = fine.run(source: "train steps=1")
        XCTAssertNil(fineRun.firstError.map { "\($0)" })
        XCTAssertFalse(try XCTUnwrap(fineRun.outcomes.first?.output.stream).contains { $0.contains("no trained token") })
    }

    func testTrainNeedsAModelAndData() {
        let bare = makeInterpreter()
        XCTAssertEqual(failure(bare, "train steps=1").name, "NoModel")
        XCTAssertEqual(failure(makeInterpreter(tiny: true), "train steps=1").name, "NoData")
        XCTAssertTrue(failure(makeInterpreter(tiny: true), "train steps=2 epochs=1").message.contains("not both"))
    }

    func testLoRATrainingRecordsStepsMetricsAndContinues() throws {
        let interpreter = try interpreterWithData()
        ok(interpreter, "method lora r=4 alpha=8 targets=[q_proj, v_proj]")
        ok(interpreter, "set lr=3e-3 batch=4 seq=768 warmup=0 schedule=constant")
        let run = interpreter.run(source: "train steps=6")
        XCTAssertNil(run.firstError.map { "\($0)" })
        let output = try XCTUnwrap(run.outcomes.first?.output)
        XCTAssertTrue(output.resultText?.hasPrefix("trained 6 steps (run1, lora r=4") ?? false, output.resultText ?? "")
        XCTAssertEqual(output.stream.filter { $0.hasPrefix("step ") }.count, 6)
        XCTAssertEqual(output.metrics.count, 6)
        let state = try XCTUnwrap(interpreter.session.training)
        XCTAssertEqual(state.trainer.step, 6)
        let losses = state.trainer.losses
        XCTAssertLessThan(losses.suffix(2).reduce(0, +), losses.prefix(2).reduce(0, +), "\(losses)")
        // A second train continues the same run.
        ok(interpreter, "train steps=2")
        XCTAssertEqual(interpreter.session.training?.trainer.step, 8)
        XCTAssertEqual(interpreter.session.runs.count, 1)
        // Changing the method starts over with the base model.
        ok(interpreter, "method lora r=2")
        XCTAssertNil(interpreter.session.training)
    }

    func testSameSeedSameLosses() throws {
        func losses() throws -> [Double] {
            let interpreter = try interpreterWithData(seed: 7)
            ok(interpreter, "method lora r=4 dropout=0.1")
            ok(interpreter, "set lr=1e-3 batch=2 seq=768")
            ok(interpreter, "train steps=3")
            return interpreter.session.training?.trainer.losses ?? []
        }
        XCTAssertEqual(try losses().map(\.bitPattern), try losses().map(\.bitPattern))
    }
}

final class GenerateAndAdapterTests: XCTestCase {
    func testGenerateIsGreedyAndReproducibleOnTheTinyModel() {
        let interpreter = makeInterpreter(tiny: true)
        let a = ok(interpreter, "generate \"hello\" max=8")
        XCTAssertEqual(a, ok(interpreter, "generate \"hello\" max=8"))
        XCTAssertEqual(ok(interpreter, "generate \"hello\" max=5 chat=false").utf8.count <= 5 * 4, true)
        XCTAssertEqual(failure(makeInterpreter(), "generate \"hi\"").name, "NoModel")
        XCTAssertTrue(failure(interpreter, "generate \"hi\" top_p=0").message.contains("top_p"))
    }

    func testAdapterSaveWritesAPEFTFolderThatReadsBack() throws {
        let interpreter = try interpreterWithData()
        let folder = temporaryFolder()
        interpreter.session.paths = .unrestricted(base: folder)
        XCTAssertEqual(failure(interpreter, "adapter save \"lora\"").name, "NoAdapter")
        ok(interpreter, "method lora r=4 alpha=8")
        ok(interpreter, "set seq=768 batch=2")
        ok(interpreter, "train steps=1")
        let text = ok(interpreter, "adapter save \"lora\"")
        XCTAssertTrue(text.contains("r=4 alpha=8 · 4 modules"), text)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("lora/adapter_config.json"))) as! [String: Any]
        XCTAssertEqual(config["r"] as? Int, 4)
        XCTAssertEqual(config["peft_type"] as? String, "LORA")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("lora/adapter_model.safetensors").path))
    }
}

final class PlotCommandTests: XCTestCase {
    func testPlotOverlaysRunsWithinEightyColumns() throws {
        let interpreter = try interpreterWithData()
        XCTAssertEqual(failure(interpreter, "plot loss").name, "NoData")
        ok(interpreter, "set seq=768 batch=2 lr=3e-3")
        ok(interpreter, "method lora r=4")
        ok(interpreter, "train steps=4")
        ok(interpreter, "method lora r=8")
        ok(interpreter, "train steps=4")
        let run = interpreter.run(source: "plot loss")
        XCTAssertNil(run.firstError.map { "\($0)" })
        let plot = try XCTUnwrap(run.outcomes.first?.output.plots.first)
        let chart = plot.text
        XCTAssertEqual(plot.chart.series.map(\.name), ["run1", "run2"])
        XCTAssertTrue(chart.contains("run1") && chart.contains("run2"), chart)
        let output = try XCTUnwrap(run.cellOutputs.first)
        XCTAssertEqual(output.kind, .plot)
        XCTAssertEqual(output.text, chart)
        XCTAssertNotNil(output.plot?.seriesData, "the series travel with the output until the recorder stores them")
        for line in chart.split(separator: "\n") { XCTAssertLessThanOrEqual(line.count, 80, String(line)) }
        XCTAssertTrue(failure(interpreter, "plot los").message.contains("did you mean 'loss'"))
    }
}

final class CheckpointCommandTests: XCTestCase {
    func setUp(_ interpreter: Interpreter) {
        ok(interpreter, "method lora r=4 alpha=8 dropout=0.1")
        ok(interpreter, "set lr=3e-3 batch=2 seq=768 steps=6 warmup=2 schedule=cosine")
    }

    /// 6 steps straight vs 3 steps, checkpoint, a fresh session set up the same way, resume, 3 steps.
    func testResumeInAFreshSessionReproducesTheUninterruptedLosses() throws {
        let straight = try interpreterWithData()
        setUp(straight)
        ok(straight, "train steps=6")
        let expected = try XCTUnwrap(straight.session.training?.trainer.losses)

        let folder = temporaryFolder()
        let first = try interpreterWithData()
        first.session.paths = .unrestricted(base: folder)
        setUp(first)
        ok(first, "train steps=3")
        XCTAssertTrue(ok(first, "checkpoint save \"ck.safetensors\"").hasPrefix("saved run1 at step 3"))

        let second = try interpreterWithData()
        second.session.paths = .unrestricted(base: folder)
        setUp(second)
        XCTAssertTrue(ok(second, "resume \"ck.safetensors\"").hasPrefix("resumed run1 at step 3 of 6"))
        ok(second, "train steps=3")
        XCTAssertEqual(second.session.training?.trainer.losses.map(\.bitPattern), expected.map(\.bitPattern))

        XCTAssertEqual(failure(makeInterpreter(tiny: true), "checkpoint save \"x\"").name, "NoRun")
        let other = try interpreterWithData()
        other.session.paths = .unrestricted(base: folder)
        ok(other, "method lora r=2")
        ok(other, "set seq=768")
        let mismatch = failure(other, "resume \"ck.safetensors\"").message
        XCTAssertTrue(mismatch.contains("the checkpoint holds") && mismatch.contains("lora_A"), mismatch)
        XCTAssertNil(other.session.training, "a refused resume leaves no half-restored run")
    }
}

final class EstimateCommandTests: XCTestCase {
    func testEstimateFollowsTheRulesOfThumbAndNamesPublishedShapes() {
        let interpreter = makeInterpreter()
        XCTAssertEqual(failure(interpreter, "estimate").name, "NoModel")
        let full = ok(interpreter, "estimate llama-2-7b full")
        XCTAssertTrue(full.contains("Llama-2-7B, full fine-tuning") && full.contains("rule of thumb"), full)
        XCTAssertTrue(ok(interpreter, "estimate \"7b\" qlora").contains("NF4"))
        XCTAssertTrue(failure(interpreter, "estimate llama-2-9b").message.contains("did you mean 'llama-2-7b'"))
        ok(interpreter, "model new tiny")
        XCTAssertTrue(ok(interpreter, "estimate").contains("tiny"))
    }
}
