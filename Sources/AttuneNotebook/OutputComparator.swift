import Foundation

/// Compares a recorded cell's outputs with the outputs of its replay (DESIGN §4):
///
/// - `result`, `stream`: line by line after sanitizers; numbers inside the text within
///   `rtol`/`atol`, everything else exactly.
/// - `metrics`: record by record, field by field with tolerance; volatile fields skipped.
/// - `plot`: the series JSON files, with tolerance; never the image, never the asset names.
/// - `error`: the name exactly, the message as text.
public struct OutputComparator: Sendable {
    public let settings: VerifySettings
    public let sanitizer: TextSanitizer
    public let recordedAssets: AssetSource
    public let replayedAssets: AssetSource
    /// Differences reported per output before the rest are summarised.
    public var maxMismatchesPerOutput = 5

    public init(settings: VerifySettings, recordedAssets: AssetSource = .none, replayedAssets: AssetSource = .none) {
        self.settings = settings
        self.sanitizer = TextSanitizer(custom: settings.sanitize)
        self.recordedAssets = recordedAssets
        self.replayedAssets = replayedAssets
    }

    /// Every difference between `recorded`'s outputs and `replayed`'s, in output order.
    public func compare(recorded: Cell, replayed: Cell) -> [Mismatch] {
        var mismatches: [Mismatch] = []
        let expected = recorded.outputs
        let actual = replayed.outputs
        for index in 0..<max(expected.count, actual.count) {
            guard index < expected.count else {
                mismatches.append(Mismatch(cellNumber: recorded.n, cellID: recorded.id, kind: actual[index].kind, outputIndex: index,
                                           message: "unexpected \(actual[index].kind.rawValue) output in replay",
                                           actual: actual[index].text))
                continue
            }
            guard index < actual.count else {
                mismatches.append(Mismatch(cellNumber: recorded.n, cellID: recorded.id, kind: expected[index].kind, outputIndex: index,
                                           message: "\(expected[index].kind.rawValue) output missing from replay",
                                           expected: expected[index].text))
                continue
            }
            var found = compare(expected[index], actual[index])
            for i in found.indices {
                found[i].cellNumber = recorded.n
                found[i].cellID = recorded.id
                found[i].outputIndex = index
            }
            if found.count > maxMismatchesPerOutput {
                let more = found.count - maxMismatchesPerOutput
                found = Array(found.prefix(maxMismatchesPerOutput))
                found.append(Mismatch(cellNumber: recorded.n, cellID: recorded.id, kind: expected[index].kind, outputIndex: index,
                                      message: "… and \(more) more difference\(more == 1 ? "" : "s") in this output"))
            }
            mismatches += found
        }
        return mismatches
    }

    /// Differences between two outputs (cell fields left blank for the caller to fill).
    public func compare(_ expected: CellOutput, _ actual: CellOutput) -> [Mismatch] {
        guard expected.kind == actual.kind else {
            return [mismatch(expected.kind, message: "output kind differs: recorded \(expected.kind.rawValue), replay gave \(actual.kind.rawValue)",
                             expected: expected.text, actual: actual.text)]
        }
        switch expected.kind {
        case .result, .stream:
            return compareText(expected.text, actual.text, kind: expected.kind)
        case .metrics:
            return compareMetrics(expected, actual)
        case .plot:
            return comparePlots(expected, actual)
        case .error:
            var found: [Mismatch] = []
            if expected.errorName != actual.errorName {
                found.append(mismatch(.error, message: "error name differs",
                                      expected: expected.errorName ?? "(none)", actual: actual.errorName ?? "(none)"))
            }
            return found + compareText(expected.text, actual.text, kind: .error)
        }
    }

    func mismatch(_ kind: CellOutput.Kind, line: Int? = nil, message: String, expected: String = "", actual: String = "") -> Mismatch {
        Mismatch(cellNumber: 0, cellID: "", kind: kind, line: line, message: message, expected: expected, actual: actual)
    }

    /// Line-by-line text comparison after sanitizing, numbers within tolerance.
    func compareText(_ expected: String, _ actual: String, kind: CellOutput.Kind) -> [Mismatch] {
        let e = TextLines.split(sanitizer.apply(expected))
        let a = TextLines.split(sanitizer.apply(actual))
        var found: [Mismatch] = []
        for index in 0..<min(e.count, a.count) {
            if let problem = compareLine(e[index], a[index]) {
                found.append(mismatch(kind, line: index + 1, message: problem, expected: e[index], actual: a[index]))
            }
        }
        if e.count != a.count {
            let line = min(e.count, a.count) + 1
            found.append(mismatch(kind, line: line, message: "recorded \(e.count) line\(e.count == 1 ? "" : "s"), replay gave \(a.count)",
                                  expected: line <= e.count ? e[line - 1] : "(end of output)",
                                  actual: line <= a.count ? a[line - 1] : "(end of output)"))
        }
        return found
    }

    /// nil when the lines match; otherwise what differs.
    func compareLine(_ expected: String, _ actual: String) -> String? {
        if expected == actual { return nil }
        let e = NumberTokenizer.tokenize(expected)
        let a = NumberTokenizer.tokenize(actual)
        guard e.count == a.count else { return "text differs" }
        var numberProblem: String?
        for (x, y) in zip(e, a) {
            switch (x, y) {
            case let (.text(s), .text(t)) where s == t:
                continue
            case let (.number(u, us), .number(v, vs)):
                if !NumberTokenizer.close(u, v, rtol: settings.rtol, atol: settings.atol), numberProblem == nil {
                    numberProblem = "number \(us) became \(vs) (beyond rtol \(settings.rtol), atol \(settings.atol))"
                }
            default:
                return "text differs"
            }
        }
        return numberProblem
    }
}
