import AttuneLanguage
import Essentials
import Plotting

/// The builtins that make charts for `plot`: `hist`, `heatmap`, `bar`.
extension Builtin {
    /// Most bins a histogram takes, and most bars a bar chart.
    static let maximumBins = 200, maximumBars = 1000
    /// Largest heatmap side (a bigger matrix asks for a slice).
    static let maximumHeatmapSide = 256

    static let chartList: [Builtin] = [
        Builtin(name: "hist", usage: "hist(w) or hist(w, bins)", summary: "a histogram of a tensor's values or a list of numbers, for plot (40 bins unless given)") { args, at throws(CommandError) in
            try at.count(args, 1...2)
            let bins = args.count == 2 ? try at.integer(args, 1) : 40
            guard (1...maximumBins).contains(bins) else { throw at.error("hist takes 1 to \(maximumBins) bins, not \(bins)", argument: 1) }
            let (title, histogram) = try at.histogram(args[0], bins: bins)
            return .opaque(ChartValue(.bars(title: "histogram of \(title)", xLabel: "value", yLabel: "count", series: histogram)))
        },
        Builtin(name: "heatmap", usage: "heatmap(t)", summary: "a heatmap of a matrix (an attention map: rows attend to columns), with its token labels, for plot") { args, at throws(CommandError) in
            try at.count(args, 1...1)
            let tensor = try at.tensor(args, 0)
            guard tensor.shape.count == 2 else {
                throw at.error("heatmap draws a matrix (2 dimensions); \(tensor.name) has shape \(tensor.shapeText): index it, e.g. \(tensor.name)[0]", argument: 0)
            }
            guard tensor.shape.allSatisfy({ $0 <= maximumHeatmapSide && $0 > 0 }) else {
                throw at.error("heatmap draws at most \(maximumHeatmapSide) × \(maximumHeatmapSide) cells; \(tensor.name) is \(tensor.shapeText): "
                               + "take a slice, e.g. \(tensor.name)[0:64, 0:64]", argument: 0)
            }
            let values: [Float]
            do throws(CommandError) { values = try tensor.values() } catch { throw error.located(default: at.range) }
            let grid = HeatmapGrid(rows: tensor.shape[0], columns: tensor.shape[1], values: values.map(Double.init),
                                   rowLabels: tensor.labels[0] ?? [], columnLabels: tensor.labels[1] ?? [])
            return .opaque(ChartValue(.heatmap(title: tensor.name, xLabel: "column", yLabel: tensor.name, grid: grid)))
        },
        Builtin(name: "bar", usage: "bar(xs)", summary: "a bar chart of a list of numbers (or a vector), one bar per item at 0, 1, …, for plot") { args, at throws(CommandError) in
            try at.count(args, 1...1)
            var numbers: [Double]
            var title = "values"
            if case .opaque(let object) = args[0], let tensor = object as? TensorValue {
                guard tensor.shape.count == 1 else { throw at.error("bar draws a vector; \(tensor.name) has shape \(tensor.shapeText)", argument: 0) }
                do throws(CommandError) { numbers = try tensor.values().map(Double.init) } catch { throw error.located(default: at.range) }
                title = tensor.name
            } else {
                numbers = try at.numbers(args, onlyList: true)
            }
            guard numbers.count <= maximumBars else { throw at.error("bar draws at most \(maximumBars) bars, not \(numbers.count)", argument: 0) }
            let series = Series(name: title, values: numbers.map { Optional($0) })
            return .opaque(ChartValue(.bars(title: title, xLabel: "index", yLabel: "value", series: series)))
        },
    ]
}

extension BuiltinCall {
    /// A histogram of a tensor's values (read a chunk of rows at a time) or a list of numbers:
    /// `bins` equal bins from the smallest to the largest finite value (the last includes the
    /// largest), as a series of (bin centre, count). Non-finite values are left out.
    func histogram(_ value: ScriptValue, bins: Int) throws(CommandError) -> (String, Series) {
        var chunks: [[Double]] = []
        var low = Double.infinity, high = -Double.infinity
        let title: String
        var tensorSource: TensorValue?
        switch value {
        case .opaque(let object) where object is TensorValue:
            let tensor = object as! TensorValue
            title = tensor.name
            low = tensor.statistics.min
            high = tensor.statistics.max
            tensorSource = tensor
        case .list:
            let numbers = try self.numbers([value], onlyList: true)
            title = "\(numbers.count) numbers"
            chunks = [numbers]
            for x in numbers where x.isFinite { low = min(low, x); high = max(high, x) }
        default:
            throw error("hist takes a tensor or a list of numbers, not \(value.typeDescription)", argument: 0)
        }
        guard low.isFinite, high.isFinite else { throw error("hist of \(title): no finite values", argument: 0) }
        let width = high > low ? (high - low) / Double(bins) : 1
        var counts = [Double](repeating: 0, count: bins)
        func add(_ x: Double) {
            guard x.isFinite else { return }
            counts[min(bins - 1, max(0, Int((x - low) / width)))] += 1
        }
        if let tensor = tensorSource {
            let chunk = max(1, (1 << 20) / max(1, tensor.rowLength))
            var start = 0
            while start < tensor.rowCount {
                let end = min(tensor.rowCount, start + chunk)
                for x in tensor.read(rows: start..<end) { add(Double(x)) }
                start = end
            }
        } else {
            for list in chunks { for x in list { add(x) } }
        }
        let points = (0..<bins).map { (x: low + (Double($0) + 0.5) * width, y: Optional(counts[$0])) }
        return (title, Series(name: title, points: points))
    }
}
