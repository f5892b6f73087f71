import AttuneNotebook
import Foundation
import Plotting
import XCTest
@testable import AttuneRuntime

final class SweepCommandTests: XCTestCase {
    /// Three learning rates on the tiny model: one chart within 80 columns, one table row per run,
    /// each run reproducing a plain `train` with that rate from a fresh session.
    func testThreeRunSweepFitsEightyColumnsAndRunsFromTheSameStart() throws {
        let interpreter = try interpreterWithData()
        ok(interpreter, "method lora r=4 alpha=8")
        ok(interpreter, "set batch=2 seq=768 warmup=0 schedule=constant")
        let run = interpreter.run(source: "sweep lr=[1e-4, 3e-3, 3e-2] steps=3")
        XCTAssertNil(run.firstError.map { "\($0)" })
        let output = try XCTUnwrap(run.outcomes.first?.output)
        let plot = try XCTUnwrap(output.plots.first)
        XCTAssertEqual(plot.chart.series.map(\.name), ["lr=1e-4", "lr=0.003", "lr=0.03"])
        for line in plot.text.split(separator: "\n") {
            XCTAssertLessThanOrEqual(DisplayWidth.of(String(line)), 80, String(line))
            XCTAssertLessThanOrEqual(line.count, 80, String(line))
        }
        let table = try XCTUnwrap(output.result)
        let lines = table.split(separator: "\n")
        XCTAssertTrue(lines[0].hasPrefix("run "), table)
        XCTAssertTrue(lines[1].hasPrefix("lr=1e-4 ") && lines[2].hasPrefix("lr=0.003 ") && lines[3].hasPrefix("lr=0.03 "), table)
        // 3e-2 is above LoRA's range, but three steps give no evidence against it: a note, not a flag.
        XCTAssertFalse(table.contains("lr too"), table)
        XCTAssertEqual(output.metrics.count, 3)
        XCTAssertEqual(output.metrics[0]["run"], .string("lr=1e-4"))

        let swept = interpreter.session.metrics.series("loss", of: "lr=0.003").map(\.value)
        XCTAssertEqual(swept.count, 3)
        let single = try interpreterWithData()
        ok(single, "method lora r=4 alpha=8")
        ok(single, "set batch=2 seq=768 warmup=0 schedule=constant lr=3e-3")
        ok(single, "train steps=3")
        XCTAssertEqual(swept.map(\.bitPattern), single.session.training?.trainer.losses.map(\.bitPattern))
    }

    /// Over seeds: one chart series per setting, the mean of its seeds' losses step by step; a
    /// second table and the value's `settings` give mean, min and max of the final losses.
    func testASweepOverSeedsAveragesEachSettingAndGivesItsRange() throws {
        let interpreter = try interpreterWithData()
        ok(interpreter, "data split train=0.75 val=0.25")
        ok(interpreter, "method lora r=4 alpha=8")
        ok(interpreter, "set batch=2 seq=768 warmup=0 schedule=constant")
        let run = interpreter.run(source: "s = sweep lr=[1e-3, 3e-2] seed=[1, 2, 3] steps=3")
        XCTAssertNil(run.firstError.map { "\($0)" })
        let output = try XCTUnwrap(run.outcomes.first?.output)
        let chart = try XCTUnwrap(output.plots.first).chart
        XCTAssertEqual(chart.series.map(\.name), ["lr=0.001 (mean of 3)", "lr=0.03 (mean of 3)"])
        let metrics = interpreter.session.metrics
        for (index, lr) in ["0.001", "0.03"].enumerated() {
            let curves = (1...3).map { seed in metrics.series("loss", of: "lr=\(lr) seed=\(seed)").map(\.value) }
            XCTAssertNotEqual(curves[0], curves[1], "each seed starts its own LoRA initialisation and data order")
            let mean = (0..<3).map { step in curves.map { $0[step] }.reduce(0, +) / 3 }
            XCTAssertEqual(chart.series[index].points.compactMap(\.y), mean)
        }
        let table = try XCTUnwrap(output.result)
        XCTAssertTrue(table.contains("over 3 seeds each:"), table)
        XCTAssertTrue(table.contains("lowest mean validation loss over seeds: lr=0.03"), table)
        func record(_ value: ScriptValue?) -> ScriptRecord? { if case .record(let r)? = value { return r } else { return nil } }
        func list(_ value: ScriptValue?) -> [ScriptValue]? { if case .list(let l)? = value { return l } else { return nil } }
        func number(_ value: ScriptValue?) -> Double? { if case .number(let x)? = value { return x } else { return nil } }
        let settings = try XCTUnwrap(list(record(interpreter.session.variables.lookup("s"))?["settings"]))
        XCTAssertEqual(settings.count, 2)
        for setting in settings.compactMap(record) {
            let vals = try XCTUnwrap(list(setting["runs"])).compactMap { number(record($0)?["val_loss"]) }
            guard vals.count == 3 else { return XCTFail("three validation losses per setting: \(setting)") }
            XCTAssertEqual(number(setting["val_loss"]), vals.reduce(0, +) / 3)
            XCTAssertEqual(number(setting["val_loss_min"]), vals.min())
            XCTAssertEqual(number(setting["val_loss_max"]), vals.max())
            XCTAssertEqual(number(setting["seeds"]), 3)
            XCTAssertTrue(vals.min()! < vals.max()!, "the seeds differ")
            let name = try XCTUnwrap(setting["name"]?.displayText)
            XCTAssertTrue(table.contains("\n" + name + " "), table)
        }
    }

    /// The current run, its adapter on the model, the method and hyperparameters are as before.
    func testSweepLeavesTheSessionAsItWas() throws {
        let interpreter = try interpreterWithData()
        ok(interpreter, "method lora r=4 alpha=8")
        ok(interpreter, "set lr=3e-3 batch=2 seq=768 warmup=0")
        ok(interpreter, "train steps=2")
        let session = interpreter.session
        let training = try XCTUnwrap(session.training)
        let model = try XCTUnwrap(session.model?.model)
        let linears = model.linears.mapValues { ObjectIdentifier($0) }
        let values = training.trainer.parameters.snapshot()
        let hyperparameters = session.hyperparameters, method = session.method
        ok(interpreter, "sweep r=[2, 8] lr=[1e-3] steps=2")
        XCTAssertTrue(session.training === training)
        XCTAssertEqual(model.linears.mapValues { ObjectIdentifier($0) }, linears, "the run's adapter is back on the model")
        XCTAssertEqual(training.trainer.parameters.snapshot(), values)
        XCTAssertEqual(session.hyperparameters, hyperparameters)
        XCTAssertEqual(session.method, method)
        XCTAssertEqual(session.metrics.runNames, ["run1", "r=2 lr=0.001", "r=8 lr=0.001"])
        // The run continues as if no sweep had happened.
        let continued = try interpreterWithData()
        ok(continued, "method lora r=4 alpha=8")
        ok(continued, "set lr=3e-3 batch=2 seq=768 warmup=0")
        ok(continued, "train steps=2")
        ok(continued, "train steps=1")
        ok(interpreter, "train steps=1")
        XCTAssertEqual(training.trainer.losses.map(\.bitPattern), continued.session.training?.trainer.losses.map(\.bitPattern))
    }

    func testSweepArgumentsAreChecked() throws {
        let interpreter = try interpreterWithData()
        XCTAssertTrue(failure(interpreter, "sweep steps=3").message.contains("sweep needs a setting"))
        XCTAssertTrue(failure(interpreter, "sweep r=[0] steps=3").message.contains("r must be a whole number"))
        XCTAssertTrue(failure(interpreter, "sweep batch=[0, 2]").message.contains("batch must be"))
        XCTAssertEqual(failure(makeInterpreter(), "sweep lr=[1e-3] steps=1").name, "NoModel")
        ok(interpreter, "method full")
        XCTAssertTrue(failure(interpreter, "sweep r=[2, 4]").message.contains("LoRA setting"))
    }

    /// A full fine-tuning sweep changes the base weights; they are put back after every run.
    func testFullFineTuningSweepRestoresTheBaseWeights() throws {
        let interpreter = try interpreterWithData()
        ok(interpreter, "method full")
        ok(interpreter, "set batch=2 seq=768")
        let model = try XCTUnwrap(interpreter.session.model?.model)
        let before = Array(UnsafeBufferPointer(start: model.parameters.storage.base, count: model.parameters.count))
        ok(interpreter, "sweep lr=[1e-5, 1e-3] steps=2")
        let after = Array(UnsafeBufferPointer(start: model.parameters.storage.base, count: model.parameters.count))
        XCTAssertEqual(before, after)
        let first = interpreter.session.metrics.series("loss", of: "lr=1e-5").first?.value
        XCTAssertEqual(first, interpreter.session.metrics.series("loss", of: "lr=0.001").first?.value, "both runs start from the same weights")
    }

    /// Full fine-tuning of the tiny model at lr=1 blows up: the table names the step, the chart
    /// marks it, and `plot loss` marks it too.
    func testADivergingRunIsFlaggedInTheTableAndMarkedOnTheChart() throws {
        let interpreter = try interpreterWithData()
        ok(interpreter, "method full")
        ok(interpreter, "set batch=2 seq=768 warmup=0 schedule=constant")
        let run = interpreter.run(source: "sweep lr=[1e-3, 1] steps=8")
        XCTAssertNil(run.firstError.map { "\($0)" })
        let output = try XCTUnwrap(run.outcomes.first?.output)
        let table = try XCTUnwrap(output.result)
        let rows = table.split(separator: "\n")
        XCTAssertFalse(rows[1].contains("diverged"), table)
        XCTAssertTrue(rows[2].contains("diverged at "), table)
        XCTAssertTrue(table.contains("diverged: lr=1 — the loss blew up"), table)
        let chart = try XCTUnwrap(output.plots.first?.chart)
        XCTAssertEqual(chart.series[0].markers, [])
        XCTAssertEqual(chart.series[1].markers.map(\.note).first?.hasPrefix("diverged at "), true)
        XCTAssertEqual(output.metrics[1]["diverged"], .bool(true))
        let plot = interpreter.run(source: "plot loss")
        XCTAssertEqual(plot.outcomes.first?.output.plots.first?.chart.series.last?.markers.map(\.note), chart.series[1].markers.map(\.note))
    }
}
