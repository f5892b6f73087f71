import Essentials
import AttuneLanguage
import Evaluation
import Plotting

/// `plot SERIES… [by=run|none] [smooth=] [log=]`: charts logged training metrics in the terminal,
/// one curve per run (and per series), 80 columns wide; a notebook also keeps the chart's series
/// and a PNG beside it.
struct PlotCommand: RuntimeCommand {
    let spec = StandardSpec.named("plot")
    let schema = ArgumentSchema([
        .keyed("by", .choice(["run", "none"]), default: "run", "one curve per run, or only the current run"),
        .keyed("smooth", .number(NumericRange(lower: 0, upper: 1, upperInclusive: false)), default: "0", "exponential smoothing weight (0.6 to 0.9 calms noisy curves)"),
        .keyed("log", .bool, default: "false", "logarithmic y axis"),
    ], rest: .positional("series", .series, required: false, "a logged series (loss, val_loss, lr, grad_norm, tokens_per_s), or a chart: hist(w), heatmap(t), bar(xs)"))
    let help = CommandHelp("""
        Charts logged series of the session's training runs in the terminal (braille dots, 80 columns), \
        one curve per run and series, so runs with different settings overlay on one chart; a notebook \
        also keeps the chart as a PNG and SVG beside it, and its series for verification. Without a \
        series it plots loss. Series: loss, smoothed_loss, val_loss, lr, grad_norm, tokens_per_s. \
        It also draws a chart made by hist(w) (a histogram of a tensor's values or a list of numbers), \
        heatmap(t) (a matrix such as an attention map, with its token labels) or bar(xs) (one bar per \
        number, e.g. LoRA B norms per layer), or a variable holding one.
        """, examples: ["plot loss", "plot loss val_loss", "plot lr by=none", "plot loss smooth=0.8 log=true",
                        "plot hist(layers.0.attn.q_proj)", "plot heatmap(a.layers[1].attention[0])", "plot bar(norms)"])

    /// The charts the arguments name (`hist(w)`, a variable holding a chart), or nil when they
    /// name logged series.
    static func charts(_ context: CommandContext) throws(CommandError) -> [Chart]? {
        let a = context.arguments
        var charts: [Chart] = []
        for (index, range) in a.restRanges.enumerated() {
            var value = context.session.argumentValues[range]
            if value == nil, case .word(let word) = a.rest[index], case let bound? = context.variable(word) { value = bound }
            guard let value else { continue }
            guard case .opaque(let object) = value, let chart = object as? ChartValue else {
                throw CommandError("TypeError", "plot draws logged series or a chart such as hist(w), heatmap(t) or bar(xs); "
                                   + "this is \(value.typeDescription)" + (Self.isTensor(value) ? ": wrap it, e.g. plot hist(w)" : ""), at: range)
            }
            charts.append(chart.chart)
        }
        guard !charts.isEmpty else { return nil }
        guard charts.count == a.rest.count else {
            throw CommandError("InvalidValue", "plot draws either logged series or charts, not both in one line", at: context.command.range)
        }
        return charts
    }

    private static func isTensor(_ value: ScriptValue) -> Bool {
        if case .opaque(let object) = value { return object is TensorValue }
        return false
    }

    static let known = ["loss", "smoothed_loss", "val_loss", "lr", "grad_norm", "tokens_per_s", "val_ppl"]

    /// The first step where the monitor's explosion detector fires on a run's losses: where the
    /// run diverged (marked ✕ on the chart).
    static func divergence(_ records: [MetricRecord]) -> Int? {
        var detector = LossExplosionDetector()
        for record in records where record.loss != nil {
            if let warning = detector.observe(record) { return warning.step }
        }
        return nil
    }

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        if let charts = try Self.charts(context) {
            for chart in charts { context.plot(chart) }
            return
        }
        let history = context.session.metrics
        let names: [String] = a.rest.compactMap { if case .word(let w) = $0 { w } else { nil } }
        let metrics = names.isEmpty ? ["loss"] : names
        for (index, metric) in metrics.enumerated() where !Self.known.contains(metric) {
            let guess = suggest(metric, from: Self.known)
            throw CommandError("InvalidValue", "unknown series '\(metric)'" + (guess.map { " — did you mean '\($0)'?" } ?? "; series: \(Self.known.joined(separator: ", "))"),
                               at: index < a.restRanges.count ? a.restRanges[index] : context.command.range, suggestion: guess)
        }
        var runs = history.runNames
        if a.word("by") == "none", let current = context.session.training?.runName { runs = [current] }
        guard !runs.isEmpty else { throw CommandError("NoData", "nothing to plot yet: `train` logs the series") }
        var series = [Series]()
        for run in runs {
            for metric in metrics {
                let points = history.series(metric, of: run).map { (x: Double($0.step), y: Optional($0.value)) }
                guard !points.isEmpty else { continue }
                let label = metrics.count > 1 ? (runs.count > 1 ? "\(run) \(metric)" : metric) : run
                var curve = Series(name: label, points: points)
                if metric == "loss" || metric == "smoothed_loss", let step = Self.divergence(history.records(of: run)) {
                    curve = curve.diverged(at: Double(step), y: points.last { $0.x <= Double(step) && $0.y?.isFinite == true }?.y ?? nil)
                }
                series.append(curve)
            }
        }
        guard !series.isEmpty else {
            throw CommandError("NoData", "no \(metrics.joined(separator: ", ")) logged yet (val_loss needs eval_every or a validation split)")
        }
        let chart = Chart(title: metrics.joined(separator: ", "), xLabel: "step", series: series,
                          yScale: a.bool("log") == true ? .log : .linear, smoothing: a.number("smooth") ?? 0)
        context.plot(chart)
    }
}
