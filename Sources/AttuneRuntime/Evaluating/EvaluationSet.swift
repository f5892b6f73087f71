import Essentials
import AttuneLanguage
import Datasets
import Evaluation
import Foundation

/// The examples `eval` and `compare` run on, from their `on=` argument:
///
/// - a part of the split: `val` (or `validation`), `train`, `test`, or `all` for the whole loaded
///   data set, optionally sliced as in Python: `val[0:5]`, `train[-10:]`, `val[3]`;
/// - another JSONL file, loaded for this command only (the session's data stays):
///   `"data/triage_heldout.jsonl"`, sliced the same way inside the quotes:
///   `"data/triage_heldout.jsonl[0:3]"`.
///
/// Each example gets a stable id, `file:line`, so results of two commands match example by example.
struct EvaluationSet {
    /// How the set is shown: `val[0:5]`, `triage_heldout.jsonl (80 examples)`.
    var name: String
    /// The examples, in order.
    var examples: [Example]
    /// The file the examples came from (display form).
    var fileName: String
    /// `triage_heldout.jsonl:12` per example.
    var ids: [String]
    /// The data set's file, to read record fields the loader does not keep (`by=FIELD`).
    var path: String = ""
    /// The file's bytes when the set was not read from a file (the built-in general probe).
    var contents: Data? = nil
    /// True when the set is a part of the loaded data (`val`, `train`, `test`, `all`), not a file.
    var isSplitPart = false
    /// The files `data mix` added (an example with `source` k ≥ 1 comes from `sourcePaths[k - 1]`).
    var sourcePaths: [String] = []

    var count: Int { examples.count }
    /// Each example's `tags` list.
    var tags: [[String]] { examples.map(\.tags) }

    /// Each example's value of `field` in its record (`category` by default; a dotted path such as
    /// `output.category` reaches into nested objects and JSON written as text, see `RecordField`):
    /// text as is, numbers and booleans as written; nil when the record has no such field (or the
    /// file can no longer be read).
    func values(of field: String) -> [String?] {
        var linesBySource = [Int: [Data.SubSequence]]()
        func linesOf(_ source: Int) -> [Data.SubSequence] {
            if let known = linesBySource[source] { return known }
            let file = source == 0 ? path : sourcePaths.indices.contains(source - 1) ? sourcePaths[source - 1] : ""
            let data = (source == 0 ? contents : nil) ?? FileManager.default.contents(atPath: file) ?? Data()
            let split = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            linesBySource[source] = split
            return split
        }
        return examples.map { example in
            let lines = linesOf(example.source)
            guard example.line >= 1, example.line <= lines.count,
                  let record = try? JSONValue.parse(String(decoding: lines[example.line - 1], as: UTF8.self)),
                  let value = RecordField.value(in: record, at: field) else { return nil }
            return ReplyLabel.text(of: value)
        }
    }

    /// The split parts `on=` names.
    static let parts = ["val", "validation", "train", "test", "all"]

    /// Resolves `text` (the `on=` value as written) against the session.
    static func resolve(_ text: String, context: CommandContext, argument: String) throws -> EvaluationSet {
        let range = context.range(of: argument)
        let (base, slice) = try splitSlice(text, at: range)
        let session = context.session
        let dataset: Dataset
        var indices: [Int]
        var label: String
        if parts.contains(base) {
            guard let loaded = session.dataset else {
                throw CommandError("NoData", "`\(context.command.name)` on \(text) needs data: load it with `data load \"PATH\"`, "
                                   + "or evaluate a file with on=\"data/heldout.jsonl\"", at: range)
            }
            dataset = loaded
            label = base == "validation" ? "val" : base
            switch label {
            case "all":
                indices = Array(loaded.examples.indices)
            default:
                guard let split = session.split else {
                    throw CommandError("NoSplit", "there is no \(label) part yet: split the data first (data split train=0.9 val=0.1), "
                                       + "or use on=all for every example", at: range)
                }
                indices = label == "train" ? split.train : label == "val" ? split.validation : split.test
                guard !indices.isEmpty else {
                    throw CommandError("NoData", "the \(label) part of the split is empty: split again with a \(label)= share", at: range)
                }
            }
        } else {
            let url = try context.resolvePath(base, argument: argument)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                let hint = suggest(base, from: parts).map { " — did you mean '\($0)'?" } ?? ""
                throw CommandError.notFound("\(base) is neither a part of the split (\(ArgumentKind.sentenceList(parts))) nor a JSONL file\(hint)",
                                            at: range, suggestion: suggest(base, from: parts))
            }
            do { dataset = try DatasetLoader.load(path: url.path) } catch {
                throw DataCommands.commandError(error, context: context, at: range)
            }
            indices = Array(dataset.examples.indices)
            label = DataCommands.displayPath(url, context)
        }
        let whole = indices.count
        if let slice {
            indices = slice.apply(indices)
            guard !indices.isEmpty else {
                throw CommandError.invalidValue("\(text) selects no example: \(label) has \(whole)", at: range)
            }
        }
        let name = slice.map { "\(label)[\($0)]" } ?? label
        return EvaluationSet(name: name, examples: indices.map { dataset.examples[$0] }, fileName: dataset.fileName,
                             ids: indices.map { "\(dataset.fileName(of: dataset.examples[$0])):\(dataset.examples[$0].line)" },
                             path: dataset.path, isSplitPart: parts.contains(base), sourcePaths: dataset.mixedPaths)
    }

    /// `val[0:5]` → (`val`, 0:5); `data/x.jsonl` → (`data/x.jsonl`, nil).
    static func splitSlice(_ text: String, at range: SourceRange) throws -> (String, IndexSlice?) {
        guard text.hasSuffix("]"), let open = text.lastIndex(of: "[") else { return (text, nil) }
        let inner = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        guard let slice = IndexSlice(inner) else {
            throw CommandError.invalidValue("[\(inner)] is not an index or a slice such as [0:5], [-10:] or [3]", at: range)
        }
        return (String(text[..<open]), slice)
    }
}

/// A Python-style index or slice over a list: `3`, `-1`, `0:5`, `:10`, `-10:`.
struct IndexSlice: CustomStringConvertible {
    var start: Int?
    var end: Int?
    /// A single index (`[3]`) rather than a range.
    var single: Bool

    init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        func bound(_ s: String) -> Int?? { s.isEmpty ? .some(nil) : Int(s).map { .some($0) } }
        switch parts.count {
        case 1:
            guard let index = Int(parts[0]) else { return nil }
            start = index; end = nil; single = true
        case 2:
            guard let s = bound(parts[0]), let e = bound(parts[1]) else { return nil }
            start = s; end = e; single = false
        default: return nil
        }
    }

    /// The selected items, clamped as Python clamps (an index out of range selects nothing).
    func apply<T>(_ items: [T]) -> [T] {
        let n = items.count
        func clamp(_ i: Int) -> Int { i < 0 ? max(0, n + i) : min(n, i) }
        if single, let start {
            let i = start < 0 ? n + start : start
            return (0..<n).contains(i) ? [items[i]] : []
        }
        let lower = start.map(clamp) ?? 0, upper = end.map(clamp) ?? n
        return lower < upper ? Array(items[lower..<upper]) : []
    }

    var description: String {
        single ? "\(start ?? 0)" : "\(start.map(String.init) ?? ""):\(end.map(String.init) ?? "")"
    }
}
