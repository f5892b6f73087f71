import AttuneLanguage
import AttuneNotebook
import Evaluation
import Foundation

/// `sweep KEY=[v1, v2, …] [KEY2=[…]] [steps=N | epochs=E] [show=loss|val_loss] [log=]`: trains the
/// current setup once per value (per combination with several keys), every run from the same
/// starting weights and seed, then overlays the curves in one chart and prints one table. The
/// session is put back as it was before: model, method, hyperparameters and the current run.
struct SweepCommand: RuntimeCommand {
    let spec = StandardSpec.named("sweep")
    let schema = ArgumentSchema([
        .keyed("steps", .integer(.closed(1, 10_000_000)), default: "the steps hyperparameter", "optimizer steps per run"),
        .keyed("epochs", .number(NumericRange(lower: 0, lowerInclusive: false, upper: 1000)), default: "the epochs hyperparameter", "passes over the training set per run"),
        .keyed("show", .choice(["loss", "val_loss"]), default: "loss", "the series the chart overlays"),
        .keyed("log", .bool, default: "false", "logarithmic y axis (a diverging run stretches a linear one)"),
    ], opensKeys: true)
    let help = CommandHelp("""
        Trains once per value of a hyperparameter (or per combination of several: the grid), every run \
        from the same starting weights, seed and data order, then overlays the loss curves in one chart \
        and prints one table: final and lowest loss, validation loss, and what the monitor flagged \
        (diverged, learning rate outside the guide's range, overfitting, oscillating). Besides the \
        hyperparameters of `set`, LoRA's r and alpha can be swept. Runs are named after their values \
        (`lr=1e-4`) and `plot` can draw them again. With seed= among the keys, each setting runs once per \
        seed (its own LoRA initialisation and data order): the chart overlays each setting's mean over \
        the seeds, a second table gives the mean and min–max of its losses, and the value's `settings` \
        list holds them (val_loss, val_loss_min, val_loss_max, …) for an assert that the effect outlasts \
        the seed's. Afterwards the session is as before: model, method, \
        hyperparameters and the current run are unchanged.
        """, examples: ["sweep lr=[1e-4, 3e-4, 1e-3] steps=40", "sweep batch=[1, 4, 16] steps=30", "sweep r=[2, 8, 32] steps=40",
                        "sweep batch=[2, 8] accum=[1, 4] steps=20", "sweep lr=[2e-5, 2e-4, 2e-3] seed=[1, 2, 3] steps=20"])

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        let session = context.session
        if a.has("steps"), a.has("epochs") {
            throw CommandError.invalidValue("give steps= or epochs=, not both", at: context.range(of: "epochs"))
        }
        var axes = [SweepAxis]()
        for argument in a.extraKeyed {
            let axis = try SweepAxis.parse(argument, method: session.method.method)
            guard !axes.contains(where: { $0.key == axis.key }) else {
                throw CommandError.invalidValue("\(axis.key) is swept twice", at: argument.range)
            }
            axes.append(axis)
        }
        guard !axes.isEmpty else {
            throw CommandError.missingArgument("sweep needs a setting and its values, e.g. sweep lr=[1e-4, 3e-4, 1e-3] steps=40", at: context.command.range)
        }
        guard let loaded = session.model else { throw CommandError.noModel("sweep") }
        let combinations = SweepAxis.combinations(axes)
        guard combinations.count <= 64 else {
            throw CommandError.invalidValue("\(combinations.count) runs is too many for one sweep (at most 64)", at: context.command.range)
        }

        // Everything the runs change, to put back afterwards.
        let savedHyperparameters = session.hyperparameters, savedMethod = session.method, savedTraining = session.training
        let model = loaded.model
        let current = ModelSnapshot(model, keepingValues: false)
        savedTraining?.adapter?.remove(from: model)
        let base = ModelSnapshot(model, keepingValues: session.method.method == .full)
        defer {
            base.restore()
            current.restore()
            session.hyperparameters = savedHyperparameters
            session.method = savedMethod
            session.training = savedTraining
        }

        var report = SweepReport()
        var rows: [ScriptValue] = []
        for combination in combinations {
            if context.shouldStop { break }
            base.restore()
            session.hyperparameters = savedHyperparameters
            session.method = savedMethod
            for setting in combination { SweepAxis.apply(key: setting.key, value: setting.value, to: session) }
            session.training = nil
            let name = combination.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            let steps = try TrainCommand().plannedSteps(context, batchesPerEpoch: nil)
            let memory = RunMemoryWindow.start()
            let state = try TrainingState.make(session: session, plannedSteps: steps, runName: name)
            session.metrics.removeRun(name)
            let loop = TrainingLoop(state: state, session: session)
            try loop.checkEarlyStopping()
            let started = Date()
            let outcome = loop.run(steps: steps, shouldStop: { context.shouldStop }, onRecord: { record, _ in
                let elapsed = Date().timeIntervalSince(started)
                context.progress("  \(name)  step \(record.step)/\(steps)  " + String(format: "loss %.4f · %.1f s", record.loss ?? .nan, elapsed))
            })
            let records = session.metrics.records(of: name)
            var valLosses = records.compactMap { r in r.valLoss.map { (step: r.step, loss: $0) } }
            let finalValLoss = state.validationLoss()
            if let finalValLoss, outcome.restoredBest == nil, valLosses.last?.step != state.trainer.step {
                // The end-of-run measurement counts too (the last step need not fall on eval_every).
                valLosses.append((state.trainer.step, finalValLoss))
            }
            let others = combination.filter { $0.key != "seed" }
            let group = axes.contains(where: { $0.key == "seed" }) ? others.map { "\($0.key)=\($0.value)" }.joined(separator: " ") : nil
            let run = SweepReport.Run(
                name: name, group: group.map { $0.isEmpty ? "all" : $0 }, trainable: state.trainer.parameters.count, steps: outcome.stepsRun,
                losses: records.compactMap { r in r.loss.map { (r.step, $0) } },
                valLosses: valLosses, finalValLoss: finalValLoss, warnings: outcome.warnings, divergedAt: outcome.divergedAt,
                stoppedEarly: outcome.stoppedEarly,
                tokensPerSecond: Self.mean(records.compactMap(\.tokensPerSecond)), peakMiB: memory.peakMiB)
            var line = "\(name): \(run.steps) steps"
            if let loss = run.finalLoss { line += String(format: " · loss %.4f", loss) }
            if let val = run.finalValLoss { line += String(format: " · val %.4f", val) }
            if let step = run.divergedAt { line += " · diverged at step \(step)" }
            context.stream(line)
            for warning in outcome.warnings { context.stream("  \(warning.severity.rawValue) at step \(warning.step): \(warning.message)") }
            report.runs.append(run)
            var row: [(String, ScriptValue)] = [("name", .string(name))]
            for setting in combination {
                switch setting.value {
                case .integer(let v): row.append((setting.key, .number(Double(v))))
                case .number(let v), .fraction(let v): row.append((setting.key, .number(v)))
                case .word(let v): row.append((setting.key, .string(v)))
                case .bool(let v): row.append((setting.key, .bool(v)))
                }
            }
            func number(_ x: Double?) -> ScriptValue { x.map { .number($0) } ?? .none }
            row += [("trainable", .number(Double(run.trainable))), ("steps", .number(Double(run.steps))),
                    ("loss", number(run.finalLoss)), ("min_loss", number(run.minLoss?.loss)),
                    ("val_loss", number(run.finalValLoss)), ("best_val_loss", number(run.bestVal?.loss)),
                    ("diverged", .bool(run.divergedAt != nil)),
                    ("tokens_per_s", number(run.tokensPerSecond)), ("peak_mb", number(run.peakMiB)),
                    ("losses", .list(run.losses.map { .number($0.loss) }))]
            rows.append(.record(ScriptRecord(kind: "sweep run", fields: row)))
        }
        guard !report.runs.isEmpty else { throw CommandError("Stopped", "the sweep was stopped before its first run finished") }

        for line in report.metricsLines { context.metrics(line) }
        context.plot(report.chart(metric: a.word("show") ?? "loss", sweptKeys: axes.map(\.key), logScale: a.bool("log") == true))
        var result = report.table
        if let seedTable = report.seedTable { result += "\n" + seedTable }
        let diverged = report.runs.filter { $0.divergedAt != nil }.map(\.name)
        if !diverged.isEmpty {
            result += "\n" + "diverged: \(diverged.joined(separator: ", ")) — the loss blew up (learning rate too high for this setup)"
        }
        let groups = report.seedGroups
        if groups.count > 1, let best = groups.filter({ $0.diverged == 0 }).min(by: { groupLowest($0) < groupLowest($1) }) {
            let which = best.valLoss != nil ? "validation" : "final training"
            result += "\nlowest mean \(which) loss over seeds: \(best.name)"
        } else if let best = report.runs.filter({ $0.divergedAt == nil }).min(by: { lowest($0) < lowest($1) }), report.runs.count > 1 {
            let which = best.finalValLoss != nil ? "validation" : "final training"
            result += "\nlowest \(which) loss: \(best.name)"
        }
        result += "\nthe session is as before the sweep (" + (savedTraining.map { "\($0.runName) at step \($0.trainer.step)" } ?? "no current run") + ")"
        context.result(result)
        let best = report.runs.indices.filter { report.runs[$0].divergedAt == nil }.min { lowest(report.runs[$0]) < lowest(report.runs[$1]) }
        func number(_ x: Double?) -> ScriptValue { x.map { .number($0) } ?? .none }
        let groupRows = groups.map { group -> ScriptValue in
            let val = group.valLoss, loss = group.finalLoss
            return .record(ScriptRecord(kind: "sweep setting", fields: [
                ("name", .string(group.name)), ("seeds", .number(Double(group.runs.count))),
                ("val_loss", number(val?.mean)), ("val_loss_min", number(val?.min)), ("val_loss_max", number(val?.max)),
                ("loss", number(loss?.mean)), ("loss_min", number(loss?.min)), ("loss_max", number(loss?.max)),
                ("diverged", .number(Double(group.diverged))),
                ("tokens_per_s", number(Self.mean(group.runs.compactMap(\.tokensPerSecond)))),
                ("peak_mb", number(group.runs.compactMap(\.peakMiB).max())),
                ("runs", .list(report.runs.indices.filter { report.runs[$0].group == group.name }.map { rows[$0] }))]))
        }
        context.returns("sweep result", [("runs", .list(rows)), ("best", best.map { rows[$0] } ?? .none), ("settings", .list(groupRows))])
        if context.shouldStop { context.warn("stopped (Ctrl-C) after \(report.runs.count) of \(combinations.count) runs") }
    }

    /// The mean of `values`, nil when empty.
    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The loss a setting is ranked by over its seeds: the mean validation loss when measured,
    /// else the mean final training loss.
    private func groupLowest(_ group: SweepReport.SeedGroup) -> Double {
        group.valLoss?.mean ?? group.finalLoss?.mean ?? .infinity
    }

    /// The loss a run is ranked by: validation when measured, else the final training loss.
    private func lowest(_ run: SweepReport.Run) -> Double {
        let value = run.finalValLoss ?? run.finalLoss ?? .infinity
        return value.isFinite ? value : .infinity
    }
}
