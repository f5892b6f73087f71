import AttuneNotebook
import Foundation
import Plotting

/// A chart a command produced: the chart itself (its series are what a notebook keeps and what
/// verification compares) and its terminal rendering (what is printed, at most 80 columns).
public struct PlotOutput: Sendable, Equatable {
    public var chart: Chart
    /// The braille chart as printed and recorded in the notebook's `output plot` block.
    public var text: String

    /// Renders `chart` for the terminal: `width` columns, about `height` lines.
    public init(chart: Chart, width: Int = 80, height: Int = 16) {
        self.chart = chart
        text = ChartRenderer.terminal(chart, width: width, height: height)
    }

    /// The notebook output: the terminal text with the series JSON held in memory, ready for
    /// ``PlotAssets`` to write beside the notebook.
    public var cellOutput: CellOutput {
        .plot(PlotInfo(seriesData: try? chart.jsonData()), text: text)
    }
}
