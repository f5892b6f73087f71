import Foundation

extension Chart {
    /// The chart as the JSON a notebook's `series=` file holds: keys sorted, one series per line,
    /// byte-for-byte the same for the same chart.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var header = self
        header.series = []
        let head = String(decoding: try encoder.encode(header), as: UTF8.self)
        // Sorted keys put "series" first for a line chart: {"series":[],"smoothing":…}; a bar
        // chart or heatmap has "grid" and "kind" before it (a key in a string would read \"series\").
        let lines = try series.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        let body = lines.isEmpty ? "[]" : "[\n" + lines.joined(separator: ",\n") + "\n]"
        let emptySeries = "{\"series\":[]"
        if head.hasPrefix(emptySeries) {
            return Data(("{\"series\":" + body + head.dropFirst(emptySeries.count) + "\n").utf8)
        }
        guard let key = head.range(of: ",\"series\":[]") else { preconditionFailure("unexpected chart encoding \(head)") }
        return Data((head[..<key.lowerBound] + ",\"series\":" + body + head[key.upperBound...] + "\n").utf8)
    }

    /// A chart read back from ``jsonData()`` (or any JSON with the same keys).
    public init(jsonData: Data) throws {
        self = try JSONDecoder().decode(Chart.self, from: jsonData)
    }
}
