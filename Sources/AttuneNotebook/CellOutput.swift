import Foundation

/// One output block of a cell: ```` ```output KIND … ````.
public struct CellOutput: Sendable, Equatable {
    /// What an output holds and how verification compares it.
    public enum Kind: String, Sendable, CaseIterable {
        /// The statement's compact echo.
        case result
        /// Progress and log lines printed while running.
        case stream
        /// JSON Lines, one object per logged step.
        case metrics
        /// A terminal chart, its data series file and an image.
        case plot
        /// An error: `name` and message.
        case error
    }

    public var kind: Kind
    /// Body lines joined with "\n" (no trailing newline). For `.error` this is the message.
    public var text: String
    /// Plot details, for `.plot`.
    public var plot: PlotInfo?
    /// The error's name (e.g. "InvalidValue"), for `.error`.
    public var errorName: String?
    /// Attributes Attune does not know, kept for round trips.
    public var extraAttributes: [FenceAttribute]

    public init(kind: Kind, text: String, plot: PlotInfo? = nil, errorName: String? = nil,
                extraAttributes: [FenceAttribute] = []) {
        self.kind = kind
        self.text = text
        self.plot = plot
        self.errorName = errorName
        self.extraAttributes = extraAttributes
    }

    /// A `result` output.
    public static func result(_ text: String) -> CellOutput { CellOutput(kind: .result, text: text) }

    /// A `stream` output.
    public static func stream(_ text: String) -> CellOutput { CellOutput(kind: .stream, text: text) }

    /// A `metrics` output with one compact JSON object per line.
    public static func metrics(_ records: [JSONValue]) -> CellOutput {
        CellOutput(kind: .metrics, text: records.map(\.compactText).joined(separator: "\n"))
    }

    /// A `plot` output: the terminal chart `text` and where its files are.
    public static func plot(_ info: PlotInfo, text: String) -> CellOutput {
        CellOutput(kind: .plot, text: text, plot: info)
    }

    /// An `error` output.
    public static func error(name: String, message: String) -> CellOutput {
        CellOutput(kind: .error, text: message, errorName: name)
    }

    /// The metrics records, one per non-blank line; a line that is not a JSON object yields an
    /// error naming its 1-based line within the output.
    public func metricsRecords() -> [Result<JSONValue, MetricsLineError>] {
        var records: [Result<JSONValue, MetricsLineError>] = []
        for (index, line) in TextLines.split(text).enumerated()
        where !line.allSatisfy({ $0 == " " || $0 == "\t" }) {
            do {
                let value = try JSONValue.parse(line)
                if value.objectValue != nil {
                    records.append(.success(value))
                } else {
                    records.append(.failure(MetricsLineError(line: index + 1, message: "not a JSON object")))
                }
            } catch {
                records.append(.failure(MetricsLineError(line: index + 1, message: error.description)))
            }
        }
        return records
    }
}

/// A metrics line that is not a JSON object.
public struct MetricsLineError: Error, Sendable, Equatable {
    /// 1-based line within the output.
    public var line: Int
    public var message: String
}

/// Where a plot's files are. Verification compares the series file's JSON, never images, and
/// ignores these names.
public struct PlotInfo: Sendable, Equatable {
    /// Plot id within the notebook, e.g. "p1".
    public var id: String?
    /// Image path relative to the notebook, e.g. "x.assets/p1-3b9c.png".
    public var src: String?
    /// Series JSON path relative to the notebook.
    public var series: String?
    /// The `![alt](src)` line after the block, when present.
    public var image: ImageLink?
    /// The series JSON of a plot just produced, held in memory until it is stored as a file
    /// (then `series` names it). Never written into the Markdown; verification prefers it to
    /// reading `series`, so a replay compares plots without writing anything.
    public var seriesData: Data?

    public init(id: String? = nil, src: String? = nil, series: String? = nil, image: ImageLink? = nil, seriesData: Data? = nil) {
        self.id = id
        self.src = src
        self.series = series
        self.image = image
        self.seriesData = seriesData
    }
}

/// A Markdown image line `![alt](src)`.
public struct ImageLink: Sendable, Equatable {
    public var alt: String
    public var src: String
    public init(alt: String, src: String) {
        self.alt = alt
        self.src = src
    }
}
