/// Label accuracy, per-class precision / recall / F1, macro-F1 and the confusion matrix of
/// predicted against expected labels.
///
/// The classes are the distinct expected labels, sorted. A prediction is matched to a class
/// ignoring case and surrounding whitespace; a prediction that names no class (or is missing:
/// no label could be read from the reply) counts in the last column, `other`. For class c with
/// TP true positives (expected c, predicted c):
///
///     precision_c = TP / (predicted c)       (0 when nothing was predicted c)
///     recall_c    = TP / (expected c)
///     F1_c        = 2·P·R / (P + R)          (0 when P + R = 0)
///     macro-F1    = mean of F1_c over the classes
///     accuracy    = Σ TP / n
public struct ClassificationMetrics: Sendable, Equatable {
    /// The scores of one class.
    public struct ClassScore: Sendable, Equatable {
        public var label: String
        public var precision: Double
        public var recall: Double
        public var f1: Double
        /// Examples whose expected label is this class.
        public var support: Int
        /// Examples predicted as this class.
        public var predicted: Int
    }

    /// The expected classes, sorted.
    public private(set) var classes: [String]
    /// `matrix[expected][predicted]`: `classes.count` rows, `classes.count + 1` columns (the last
    /// is `other`: a prediction that is none of the classes).
    public private(set) var matrix: [[Int]]
    /// Distinct predictions counted as `other`, with their counts, most frequent first
    /// (`(none)` for a reply with no label).
    public private(set) var others: [(label: String, count: Int)]
    public private(set) var perClass: [ClassScore]
    public private(set) var correct: Int
    public private(set) var total: Int

    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }
    public var macroF1: Double { perClass.isEmpty ? 0 : perClass.map(\.f1).reduce(0, +) / Double(perClass.count) }
    /// The column headings: the classes, then `other`.
    public var columns: [String] { classes + ["other"] }

    /// Scores `predicted[i]` against `expected[i]` (the arrays have the same length).
    public init(expected: [String], predicted: [String?]) {
        precondition(expected.count == predicted.count, "one prediction per expected label")
        let classes = Array(Set(expected.map(Self.canonical))).sorted()
        var spelling = [String: String]()
        for label in expected where spelling[Self.canonical(label)] == nil { spelling[Self.canonical(label)] = label.trimmingWhitespace }
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($0.element, $0.offset) })
        var matrix = Array(repeating: Array(repeating: 0, count: classes.count + 1), count: classes.count)
        var otherCounts = [String: Int]()
        for (want, got) in zip(expected, predicted) {
            let row = index[Self.canonical(want)]!
            if let got, let column = index[Self.canonical(got)] {
                matrix[row][column] += 1
            } else {
                matrix[row][classes.count] += 1
                let shown = got.map(\.trimmingWhitespace) ?? "(none)"
                otherCounts[shown.isEmpty ? "(empty)" : shown, default: 0] += 1
            }
        }
        self.classes = classes.map { spelling[$0]! }
        self.matrix = matrix
        others = otherCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) }
        total = expected.count
        correct = classes.indices.map { matrix[$0][$0] }.reduce(0, +)
        perClass = classes.indices.map { c in
            let tp = Double(matrix[c][c])
            let support = matrix[c].reduce(0, +)
            let predictedCount = matrix.map { $0[c] }.reduce(0, +)
            let precision = predictedCount == 0 ? 0 : tp / Double(predictedCount)
            let recall = support == 0 ? 0 : tp / Double(support)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            return ClassScore(label: spelling[classes[c]]!, precision: precision, recall: recall, f1: f1,
                              support: support, predicted: predictedCount)
        }
    }

    public static func == (a: ClassificationMetrics, b: ClassificationMetrics) -> Bool {
        a.classes == b.classes && a.matrix == b.matrix && a.perClass == b.perClass
            && a.others.map(\.label) == b.others.map(\.label) && a.others.map(\.count) == b.others.map(\.count)
    }

    /// How labels are matched: trimmed, lowercased.
    public static func canonical(_ label: String) -> String { label.trimmingWhitespace.lowercased() }

    /// The confusion matrix as a text table: one row per expected class, one column per predicted
    /// class and `other`.
    public var matrixTable: String {
        let rowWidth = max(classes.map(\.count).max() ?? 0, "expected \\ predicted".count)
        let widths = columns.enumerated().map { column in
            max(column.element.count, matrix.map { String($0[column.offset]).count }.max() ?? 1)
        }
        func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, n - s.count))
            return right ? fill + s : s + fill
        }
        var lines = [pad("expected \\ predicted", rowWidth) + "  " + zip(columns, widths).map { pad($0, $1, right: true) }.joined(separator: "  ")]
        for (row, label) in classes.enumerated() {
            lines.append(pad(label, rowWidth) + "  " + widths.indices.map { pad(String(matrix[row][$0]), widths[$0], right: true) }.joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }
}
