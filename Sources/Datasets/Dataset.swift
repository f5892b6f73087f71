/// A loaded data file: its examples in file order, the lines that were skipped (lenient mode)
/// and the key layouts seen.
public struct Dataset: Sendable {
    /// The path as given to `load`.
    public var path: String
    public var format: DataFormat
    public var examples: [Example]
    /// Every invalid line that lenient loading skipped, in file order.
    public var skipped: [DataIssue]
    /// Lines that were empty or only whitespace (not examples, not errors).
    public var blankLines: Int
    /// Key layouts (`messages[role,content]`, `instruction,input,output`), indexed by `Example.schema`.
    public var schemas: [String]

    public init(path: String, format: DataFormat, examples: [Example], skipped: [DataIssue] = [],
                blankLines: Int = 0, schemas: [String] = [""]) {
        self.path = path; self.format = format; self.examples = examples; self.skipped = skipped
        self.blankLines = blankLines; self.schemas = schemas
    }

    /// The files `data mix` added to the loaded one, in order: an example whose `source` is k ≥ 1
    /// comes from `mixedPaths[k - 1]` (see ``DataMixture``). Empty for one file.
    public var mixedPaths: [String] = []

    public var count: Int { examples.count }

    /// The file name without folders, for locations in reports.
    public var fileName: String { Self.sourceFileName(path) }

    /// How many files the examples come from (1 without a mixture).
    public var sourceCount: Int { 1 + mixedPaths.count }

    /// The path of source `index` (0: the loaded file).
    public func path(ofSource index: Int) -> String {
        index == 0 || index > mixedPaths.count ? path : mixedPaths[index - 1]
    }

    /// The file name (no folders) of the file `example` comes from.
    public func fileName(of example: Example) -> String {
        Self.sourceFileName(path(ofSource: example.source))
    }

    /// The indices of the examples from source `index`, in order.
    public func indices(ofSource index: Int) -> [Int] {
        examples.indices.filter { examples[$0].source == index }
    }

    /// The file name (no folders) of a path.
    public static func sourceFileName(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }

    /// The location of example `index` (in the file it comes from).
    public func location(of index: Int) -> SourceLocation {
        SourceLocation(file: fileName(of: examples[index]), line: examples[index].line)
    }

    /// The examples at `indices`, in that order, as a data set over the same file.
    public func subset(_ indices: [Int]) -> Dataset {
        var copy = self
        copy.examples = indices.map { examples[$0] }
        copy.skipped = []
        copy.blankLines = 0
        return copy
    }

    /// One line for the REPL: `support.jsonl: 480 examples (chat)`, and what was skipped.
    public var summary: String {
        var text = "\(fileName): \(examples.count) examples (\(format))"
        if !skipped.isEmpty {
            text += ", \(skipped.count) invalid line\(skipped.count == 1 ? "" : "s") skipped"
            let kinds = Dictionary(grouping: skipped, by: \.kind).map { "\($0.value.count) \($0.key.rawValue)" }.sorted()
            text += " (" + kinds.joined(separator: ", ") + ")"
        }
        return text
    }
}
