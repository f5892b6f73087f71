import AttuneNotebook
import Evaluation
import Foundation
import Plotting

/// What one run of a sweep gave, and the sweep's table, chart and metrics lines built from them.
struct SweepReport {
    /// One run: its name (`lr=1e-4`), how far it went, its losses and what the monitor flagged.
    struct Run {
        var name: String
        /// With `seed` among the swept keys: the name without the seed (`lr=1e-4`), which the runs
        /// of one setting share; nil otherwise.
        var group: String? = nil
        /// Trainable values of the run (grows with the LoRA rank).
        var trainable: Int
        var steps: Int
        /// Training loss per step (`nil` where the step was skipped as non-finite).
        var losses: [(step: Int, loss: Double)]
        var valLosses: [(step: Int, loss: Double)]
        /// Validation loss of the weights the run ended with (after restoring the best, if so).
        var finalValLoss: Double?
        var warnings: [TrainingWarning]
        var divergedAt: Int?
        var stoppedEarly: Bool
        /// Mean training speed over the run's steps (measured, volatile).
        var tokensPerSecond: Double? = nil
        /// The run's own peak resident memory in MiB (`RunMemoryWindow`; measured, volatile).
        var peakMiB: Double? = nil

        var finalLoss: Double? { losses.last?.loss }
        var minLoss: (step: Int, loss: Double)? { losses.filter { $0.loss.isFinite }.min { $0.loss < $1.loss } }
        var bestVal: (step: Int, loss: Double)? { valLosses.filter { $0.loss.isFinite }.min { $0.loss < $1.loss } }

        /// Short names of what went wrong, in the order first seen.
        var flags: [String] {
            var flags = [String]()
            if let divergedAt { flags.append("diverged at \(divergedAt)") }
            for warning in warnings where warning.isWarning {
                let flag: String? = switch warning.kind {
                case .lossExploding: nil
                case .lossNotDecreasing: "not decreasing"
                case .overfitting: "overfitting"
                case .lossOscillating: "oscillating"
                case .plateau: "plateau"
                case .learningRateOutOfRange: warning.message.contains(" too high ") ? "lr too high" : "lr too low"
                }
                if let flag, !flags.contains(flag) { flags.append(flag) }
            }
            if stoppedEarly { flags.append("stopped early") }
            return flags
        }
    }

    var runs: [Run] = []

    /// The runs of one setting over several seeds (a sweep with `seed` among its keys): what the
    /// setting does, as the mean over seeds, and how much of it is the seed's, as min…max.
    struct SeedGroup {
        var name: String
        var runs: [Run]

        /// Mean, minimum and maximum of `value` over the runs that have it (nil when none has).
        static func spread(_ values: [Double?]) -> (mean: Double, min: Double, max: Double)? {
            let present = values.compactMap { $0 }.filter(\.isFinite)
            guard !present.isEmpty else { return nil }
            return (present.reduce(0, +) / Double(present.count), present.min()!, present.max()!)
        }
        var valLoss: (mean: Double, min: Double, max: Double)? { Self.spread(runs.map(\.finalValLoss)) }
        var finalLoss: (mean: Double, min: Double, max: Double)? { Self.spread(runs.map(\.finalLoss)) }
        var diverged: Int { runs.filter { $0.divergedAt != nil }.count }
        /// The loss per step averaged over the seeds, at the steps every run logged a finite loss.
        var meanLosses: [(step: Int, loss: Double)] { Self.meanCurve(runs.map(\.losses)) }
        var meanValLosses: [(step: Int, loss: Double)] { Self.meanCurve(runs.map(\.valLosses)) }

        static func meanCurve(_ curves: [[(step: Int, loss: Double)]]) -> [(step: Int, loss: Double)] {
            guard let first = curves.first else { return [] }
            return first.compactMap { point in
                let values = curves.compactMap { curve in curve.first { $0.step == point.step }?.loss }
                guard values.count == curves.count, values.allSatisfy(\.isFinite) else { return nil }
                return (point.step, values.reduce(0, +) / Double(values.count))
            }
        }
    }

    /// The runs grouped by setting, in first-seen order (empty without a seed axis).
    var seedGroups: [SeedGroup] {
        var groups = [SeedGroup]()
        for run in runs {
            guard let name = run.group else { continue }
            if let i = groups.firstIndex(where: { $0.name == name }) { groups[i].runs.append(run) } else { groups.append(SeedGroup(name: name, runs: [run])) }
        }
        return groups
    }

    /// The second table of a sweep over seeds: per setting, the mean over seeds and its range.
    var seedTable: String? {
        let groups = seedGroups
        guard !groups.isEmpty else { return nil }
        func spread(_ x: (mean: Double, min: Double, max: Double)?) -> String {
            guard let x else { return "–" }
            return String(format: "%.4f (%.4f–%.4f)", x.mean, x.min, x.max)
        }
        let seeds = Set(groups.map(\.runs.count))
        let header = ["setting", "val loss, mean (min–max)", "final loss, mean (min–max)", "diverged"]
        let rows = groups.map { group in
            [group.name, spread(group.valLoss), spread(group.finalLoss), "\(group.diverged)/\(group.runs.count)"]
        }
        let title = seeds.count == 1 ? "over \(seeds.first!) seeds each:" : "over the seeds of each setting:"
        return title + "\n" + Self.align([header] + rows)
    }

    /// Columns padded to their widest cell: the first left-aligned, the others right-aligned, the
    /// last unpadded.
    static func align(_ all: [[String]]) -> String {
        guard let header = all.first else { return "" }
        let widths = header.indices.map { column in all.map { DisplayWidth.of($0[column]) }.max() ?? 0 }
        return all.map { row in
            row.indices.map { column -> String in
                let cell = row[column], pad = String(repeating: " ", count: widths[column] - DisplayWidth.of(cell))
                if column == row.count - 1 { return cell }
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// The table printed as the sweep's result: one row per run.
    var table: String {
        func number(_ x: Double?) -> String {
            guard let x else { return "–" }
            return x.isFinite ? String(format: "%.4f", x) : NumberText.short(x)
        }
        func at(_ point: (step: Int, loss: Double)?) -> String {
            point.map { "\(number($0.loss)) @\($0.step)" } ?? "–"
        }
        let header = ["run", "trainable", "steps", "final loss", "min loss", "val loss", "best val", "flagged"]
        let rows = runs.map { run in
            [run.name, NumberText.grouped(run.trainable), String(run.steps), number(run.finalLoss), at(run.minLoss), number(run.finalValLoss), at(run.bestVal),
             run.flags.isEmpty ? "–" : run.flags.joined(separator: ", ")]
        }
        return Self.align([header] + rows)
    }

    /// The overlaid curves of `metric` (`loss` or `val_loss`), one series per run, with a ✕ where
    /// a run diverged. Over seeds, one series per setting: the mean over its seeds (the table
    /// gives the range), with a ✕ at the first step where one of them diverged.
    func chart(metric: String, sweptKeys: [String], logScale: Bool) -> Chart {
        let groups = seedGroups
        if !groups.isEmpty {
            let series = groups.map { group -> Series in
                let curve = metric == "val_loss" ? group.meanValLosses : group.meanLosses
                var series = Series(name: "\(group.name) (mean of \(group.runs.count))", points: curve.map { (x: Double($0.step), y: Optional($0.loss)) })
                if let step = group.runs.compactMap(\.divergedAt).min() {
                    series = series.diverged(at: Double(step), y: curve.last { $0.step <= step }?.loss)
                }
                return series
            }
            let keys = sweptKeys.filter { $0 != "seed" }
            return Chart(title: "\(metric) by \(keys.joined(separator: ", ")), mean over seeds", xLabel: "step", yLabel: metric,
                         series: series, yScale: logScale ? .log : .linear)
        }
        let series = runs.map { run -> Series in
            let points = (metric == "val_loss" ? run.valLosses : run.losses).map { (x: Double($0.step), y: Optional($0.loss)) }
            var series = Series(name: run.name, points: points)
            if let step = run.divergedAt {
                let before = run.losses.last { $0.step <= step && $0.loss.isFinite }?.loss
                series = series.diverged(at: Double(step), y: before)
            }
            return series
        }
        return Chart(title: "\(metric) by \(sweptKeys.joined(separator: ", "))", xLabel: "step", yLabel: metric, series: series,
                     yScale: logScale ? .log : .linear)
    }

    /// One metrics line per run: its name, steps, final and minimum loss, validation loss and
    /// whether it diverged (what verification compares besides the chart's series).
    var metricsLines: [JSONValue] {
        runs.map { run in
            var pairs: [(key: String, value: JSONValue)] = [("run", .string(run.name)), ("trainable", .number(Double(run.trainable))),
                                                            ("steps", .number(Double(run.steps)))]
            func add(_ key: String, _ x: Double?) {
                guard let x else { return }
                pairs.append((key, x.isFinite ? .number(x) : .string(NumberText.short(x))))
            }
            add("loss", run.finalLoss)
            add("min_loss", run.minLoss?.loss)
            add("val_loss", run.finalValLoss)
            add("best_val_loss", run.bestVal?.loss)
            pairs.append(("diverged", .bool(run.divergedAt != nil)))
            return .object(pairs)
        }
    }
}
