import AttuneNotebook
import Evaluation
import Foundation
import Plotting

/// What one run of a sweep gave, and the sweep's table, chart and metrics lines built from them.
struct SweepReport {
    /// One run: its name (`lr=1e-4`), how far it went, its losses and what the monitor flagged.
    struct Run {
        var name: String
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
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { DisplayWidth.of($0[column]) }.max() ?? 0 }
        return all.map { row in
            row.indices.map { column -> String in
                let cell = row[column], pad = String(repeating: " ", count: widths[column] - DisplayWidth.of(cell))
                if column == row.count - 1 { return cell }
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// The overlaid curves of `metric` (`loss` or `val_loss`), one series per run, with a ✕ where
    /// a run diverged.
    func chart(metric: String, sweptKeys: [String], logScale: Bool) -> Chart {
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
