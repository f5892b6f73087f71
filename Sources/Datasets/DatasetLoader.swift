import Foundation

/// Loading JSONL training data (`data load PATH [format=…] [mode=strict|lenient]`).
///
/// Streams the file line by line: only the examples' strings are kept, so memory grows with
/// the text, not with JSON trees.
public enum DatasetLoader {
    /// Loads `path`.
    ///
    /// - Parameters:
    ///   - format: the expected format; nil detects it from the first valid line.
    ///   - mode: `.strict` throws `DatasetError.invalidLines` at the first invalid line;
    ///     `.lenient` skips invalid lines and lists each in `Dataset.skipped`.
    public static func load(path: String, format: DataFormat? = nil, mode: LoadMode = .strict) throws -> Dataset {
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        var parser = ExampleParser(file: fileName, format: format)
        var examples = [Example]()
        var skipped = [DataIssue]()
        var blank = 0
        var failure: DataIssue?
        try LineReader(path: path).forEachLine { bytes, line in
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { blank += 1; return true }
            switch parser.parse(bytes, line: line) {
            case .success(let example):
                examples.append(example)
                return true
            case .failure(let issue):
                if mode == .strict { failure = issue; return false }
                skipped.append(issue)
                return true
            }
        }
        if let failure { throw DatasetError.invalidLines([failure]) }
        guard let detected = parser.format, !examples.isEmpty else {
            throw DatasetError.noExamples(path: path, skipped: skipped.count)
        }
        return Dataset(path: path, format: detected, examples: examples, skipped: skipped, blankLines: blank,
                       schemas: parser.schemas)
    }

    /// Parses JSONL text held in memory (tests, small snippets); `file` names it in locations.
    public static func parse(_ text: String, file: String = "<input>", format: DataFormat? = nil,
                             mode: LoadMode = .strict) throws -> Dataset {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("attune-\(UUID().uuidString)").appendingPathComponent(file)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        do { try Data(text.utf8).write(to: url) } catch {
            throw DatasetError.file(path: url.path, reason: "\(error)")
        }
        var dataset = try load(path: url.path, format: format, mode: mode)
        dataset.path = file
        return dataset
    }
}
