import Evaluation
import Plotting

/// The confusion matrix of a label evaluation as a chart: a ``CountTable`` (rows the expected
/// classes, columns the predicted ones and `other`), kept in a notebook as PNG and SVG beside it.
enum ConfusionChart {
    static func chart(_ metrics: ClassificationMetrics, title: String) -> Chart {
        Chart(title: title, xLabel: "predicted", yLabel: "expected", series: [],
              table: CountTable(rows: metrics.classes, columns: metrics.columns, counts: metrics.matrix,
                                rowLabel: "expected", columnLabel: "predicted"))
    }
}
