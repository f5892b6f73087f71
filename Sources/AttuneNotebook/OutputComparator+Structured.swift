import Foundation

extension OutputComparator {
    /// Metrics: same number of records; in each, every non-volatile field equal within tolerance.
    func compareMetrics(_ expected: CellOutput, _ actual: CellOutput) -> [Mismatch] {
        let volatile = Set(settings.volatile)
        let lineOf = { (output: CellOutput) -> [Int] in
            TextLines.split(output.text).enumerated().filter { !$0.element.trimmingSpaces().isEmpty }.map { $0.offset + 1 }
        }
        let e = expected.metricsRecords()
        let a = actual.metricsRecords()
        let eLines = lineOf(expected)
        var found: [Mismatch] = []
        for index in 0..<min(e.count, a.count) {
            let line = index < eLines.count ? eLines[index] : nil
            switch (e[index], a[index]) {
            case let (.success(x), .success(y)):
                var differences: [String] = []
                compareObjects(x, y, path: "", volatile: volatile, into: &differences)
                for difference in differences {
                    found.append(mismatch(.metrics, line: line, message: difference,
                                          expected: strip(x, volatile).compactText, actual: strip(y, volatile).compactText))
                }
            case let (.failure(problem), _):
                found.append(mismatch(.metrics, line: problem.line, message: "recorded line is not a JSON object: \(problem.message)"))
            case let (_, .failure(problem)):
                found.append(mismatch(.metrics, line: line, message: "replayed line \(problem.line) is not a JSON object: \(problem.message)"))
            }
        }
        if e.count != a.count {
            found.append(mismatch(.metrics, line: min(e.count, a.count) < eLines.count ? eLines[min(e.count, a.count)] : nil,
                                  message: "recorded \(e.count) record\(e.count == 1 ? "" : "s"), replay gave \(a.count)"))
        }
        return found
    }

    /// The record without its volatile fields (for a readable diff).
    private func strip(_ value: JSONValue, _ volatile: Set<String>) -> JSONValue {
        .object((value.objectValue ?? []).filter { !volatile.contains($0.key) })
    }

    /// Field-by-field comparison of two JSON values; appends one message per difference,
    /// naming the field path (`loss`, `series[1].y[40]`).
    func compareObjects(_ expected: JSONValue, _ actual: JSONValue, path: String, volatile: Set<String>, into differences: inout [String]) {
        let name = path.isEmpty ? "value" : path
        switch (expected, actual) {
        case let (.object(e), .object(a)):
            for (key, value) in e where !volatile.contains(key) {
                let sub = path.isEmpty ? key : "\(path).\(key)"
                if let other = a.first(where: { $0.key == key })?.value {
                    compareObjects(value, other, path: sub, volatile: volatile, into: &differences)
                } else {
                    differences.append("field \(sub) missing from replay")
                }
            }
            for (key, _) in a where !volatile.contains(key) && !e.contains(where: { $0.key == key }) {
                differences.append("unexpected field \(path.isEmpty ? key : "\(path).\(key)") in replay")
            }
        case let (.array(e), .array(a)):
            if e.count != a.count {
                differences.append("\(name) has \(e.count) items recorded, \(a.count) replayed")
                return
            }
            for (index, pair) in zip(e, a).enumerated() {
                compareObjects(pair.0, pair.1, path: "\(path)[\(index)]", volatile: volatile, into: &differences)
                if differences.count > 20 { return }
            }
        case let (.number(x, _), .number(y, _)):
            if !NumberTokenizer.close(x, y, rtol: settings.rtol, atol: settings.atol) {
                differences.append("\(name) \(JSONValue.numberText(x)) became \(JSONValue.numberText(y)) (beyond rtol \(settings.rtol), atol \(settings.atol))")
            }
        case let (.string(x), .string(y)):
            if sanitizer.apply(x) != sanitizer.apply(y), compareLine(sanitizer.apply(x), sanitizer.apply(y)) != nil {
                differences.append("\(name) \(JSONValue.quote(x)) became \(JSONValue.quote(y))")
            }
        default:
            if expected != actual {
                differences.append("\(name) \(expected.compactText) became \(actual.compactText)")
            }
        }
    }

    /// Plots: the series JSON of both sides, with tolerance. Image bytes and asset names are
    /// ignored. Without a series file on either side, the chart text is compared instead.
    func comparePlots(_ expected: CellOutput, _ actual: CellOutput) -> [Mismatch] {
        let ePath = expected.plot?.series ?? "(in memory)"
        let aPath = actual.plot?.series ?? "(in memory)"
        let eHas = expected.plot?.seriesData != nil || expected.plot?.series != nil
        let aHas = actual.plot?.seriesData != nil || actual.plot?.series != nil
        if !eHas, !aHas {
            return compareText(expected.text, actual.text, kind: .plot)
        }
        guard let eData = expected.plot?.seriesData ?? expected.plot?.series.flatMap(recordedAssets.load) else {
            return [mismatch(.plot, message: "recorded series file \(expected.plot?.series ?? "(none)") cannot be read")]
        }
        guard let aData = actual.plot?.seriesData ?? actual.plot?.series.flatMap(replayedAssets.load) else {
            return [mismatch(.plot, message: "replayed series file \(actual.plot?.series ?? "(none)") cannot be read")]
        }
        let eText = String(decoding: eData, as: UTF8.self)
        let aText = String(decoding: aData, as: UTF8.self)
        guard let e = try? JSONValue.parse(eText) else { return [mismatch(.plot, message: "recorded series file \(ePath) is not JSON")] }
        guard let a = try? JSONValue.parse(aText) else { return [mismatch(.plot, message: "replayed series file \(aPath) is not JSON")] }
        var differences: [String] = []
        compareObjects(e, a, path: "series", volatile: Set(settings.volatile), into: &differences)
        return differences.prefix(maxMismatchesPerOutput + 1).map { mismatch(.plot, message: $0) }
    }
}
