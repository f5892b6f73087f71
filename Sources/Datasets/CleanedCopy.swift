import Essentials
import Foundation

/// What `data dedup` or `data redact` wrote.
public struct CleanedCopyReport: Sendable, Hashable, Codable {
    /// The input, never modified.
    public var source: String
    /// The new file beside it (`support.dedup.jsonl`, `support.redacted.jsonl`).
    public var output: String
    public var linesRead: Int
    public var linesWritten: Int
    /// Removed lines (dedup) with the line each duplicated: `[removed, kept]`.
    public var removed: [[Int]]
    /// Lines changed (redact).
    public var changedLines: [Int]
    /// Replacements per placeholder kind (redact).
    public var replacements: [PIIKind: Int]
    /// Lines that were not valid JSON and were copied unchanged.
    public var copiedUnparsed: [Int]

    /// One line for the REPL.
    public var summary: String {
        var text = "wrote \(output): \(linesWritten) of \(linesRead) lines"
        if !removed.isEmpty { text += "; removed \(removed.count) duplicates" }
        if !replacements.isEmpty {
            let kinds = replacements.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.placeholder)" }
            text += "; \(changedLines.count) lines redacted (" + kinds.joined(separator: ", ") + ")"
        }
        if !copiedUnparsed.isEmpty { text += "; \(copiedUnparsed.count) invalid lines copied unchanged" }
        return text
    }
}

/// Writes cleaned copies of a data file beside it; the input is never overwritten.
public enum CleanedCopy {
    /// `dir/name.jsonl` → `dir/name.<suffix>.jsonl`.
    public static func outputPath(for path: String, suffix: String) -> String {
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension
        let base = url.deletingPathExtension()
        return base.path + "." + suffix + (ext.isEmpty ? "" : "." + ext)
    }

    /// `data dedup`: copies every line except the later members of exact-duplicate groups and
    /// near-duplicate clusters (the first of each is kept).
    public static func dedup(_ dataset: Dataset, nearDuplicates: Bool = true, nearThreshold: Double = 0.8,
                             output: String? = nil) throws -> CleanedCopyReport {
        let result = DuplicateFinder(nearThreshold: nearThreshold).find(in: dataset.examples)
        var removed = [Int: Int]()   // line → kept line
        for group in result.exactGroups + (nearDuplicates ? result.nearClusters : []) {
            for index in group.dropFirst() { removed[dataset.examples[index].line] = dataset.examples[group[0]].line }
        }
        let target = output ?? outputPath(for: dataset.path, suffix: "dedup")
        var report = CleanedCopyReport(source: dataset.path, output: target, linesRead: 0, linesWritten: 0,
                                       removed: removed.sorted { $0.key < $1.key }.map { [$0.key, $0.value] },
                                       changedLines: [], replacements: [:], copiedUnparsed: [])
        try rewrite(dataset.path, to: target) { bytes, line in
            report.linesRead += 1
            if removed[line] != nil { return nil }
            report.linesWritten += 1
            return Array(bytes)
        }
        return report
    }

    /// `data redact`: replaces personal data and secrets in every string value of every line
    /// with typed placeholders; keys, numbers and layout stay. Lines that are not valid JSON are
    /// copied unchanged and listed.
    public static func redact(_ path: String, scanner: PIIScanner = PIIScanner(), output: String? = nil) throws -> CleanedCopyReport {
        let target = output ?? outputPath(for: path, suffix: "redacted")
        var report = CleanedCopyReport(source: path, output: target, linesRead: 0, linesWritten: 0, removed: [],
                                       changedLines: [], replacements: [:], copiedUnparsed: [])
        try rewrite(path, to: target) { bytes, line in
            report.linesRead += 1
            report.linesWritten += 1
            guard UTF8Validation.firstInvalidOffset(bytes) == nil, let value = try? JSONValue.parse(bytes) else {
                if !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { report.copiedUnparsed.append(line) }
                return Array(bytes)
            }
            var changed = false
            let redacted = value.mappingStrings { text in
                let (clean, matches) = scanner.redact(text)
                for match in matches { report.replacements[match.kind, default: 0] += 1 }
                if !matches.isEmpty { changed = true }
                return clean
            }
            guard changed else { return Array(bytes) }
            report.changedLines.append(line)
            return Array(redacted.text().utf8)
        }
        return report
    }

    /// Streams `source` to `target` line by line through `transform` (nil drops the line).
    /// Replaces `target` atomically (`AtomicFile`), refusing to overwrite the source.
    static func rewrite(_ source: String, to target: String,
                        _ transform: (UnsafeBufferPointer<UInt8>, Int) throws -> [UInt8]?) throws {
        let sourceURL = URL(fileURLWithPath: source).standardizedFileURL.resolvingSymlinksInPath()
        let targetURL = URL(fileURLWithPath: target).standardizedFileURL.resolvingSymlinksInPath()
        guard sourceURL.path != targetURL.path else {
            throw DatasetError.file(path: target, reason: "refusing to overwrite the input; choose another output path")
        }
        do {
            try AtomicFile.replace(target) { write in
                var buffer = [UInt8]()
                buffer.reserveCapacity(1 << 20)
                try LineReader(path: source).forEachLine { bytes, line in
                    if let out = try transform(bytes, line) {
                        buffer += out
                        buffer.append(0x0A)
                        if buffer.count >= 1 << 20 { try write(buffer); buffer.removeAll(keepingCapacity: true) }
                    }
                    return true
                }
                try write(buffer)
            }
        } catch {
            if let error = error as? DatasetError { throw error }
            throw DatasetError.file(path: target, reason: "\(error)")
        }
    }
}
