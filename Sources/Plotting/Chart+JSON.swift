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
        // Sorted keys put "series" first: {"series":[],"smoothing":…}
        let emptySeries = "{\"series\":[]"
        precondition(head.hasPrefix(emptySeries), "unexpected chart encoding \(head)")
        let lines = try series.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        let body = lines.isEmpty ? "[]" : "[\n" + lines.joined(separator: ",\n") + "\n]"
        let text = "{\"series\":" + body + head.dropFirst(emptySeries.count) + "\n"
        return Data(text.utf8)
    }

    /// A chart read back from ``jsonData()`` (or any JSON with the same keys).
    public init(jsonData: Data) throws {
        self = try JSONDecoder().decode(Chart.self, from: jsonData)
    }
}
