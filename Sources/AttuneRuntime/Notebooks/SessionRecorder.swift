import AttuneNotebook
import Foundation

/// Records what a session runs as notebook cells, appended as each finishes (crash-safe: see
/// `NotebookRecorder`). A cell that failed is tagged `raises`, so replaying the notebook expects
/// the same error rather than stopping at it.
public final class SessionRecorder {
    public let recorder: NotebookRecorder
    /// The first recording problem (disk full, file removed), reported once.
    public private(set) var failure: String?

    /// Creates the notebook file with a front matter holding the format, title, creation time,
    /// engine, seed and default verification settings. Fails if the file exists.
    public init(creating url: URL, seed: UInt64, title: String, now: Date = Date()) throws {
        var matter = FrontMatter()
        matter.format = FrontMatter.formatTag
        matter.title = title
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        matter.created = formatter.string(from: now)
        matter.engine = EngineInfo(name: "attune", version: AttuneVersion.current)
        matter.seed = seed
        matter.verify = VerifySettings()
        recorder = try NotebookRecorder.create(at: url, frontMatter: matter)
    }

    /// Appends one cell: `source` and the outputs of its run. Returns false (and keeps the reason
    /// in `failure`) when the file could not be written; the session goes on either way.
    @discardableResult
    public func record(source: String, run: SourceRun) -> Bool {
        let cell = recorder.makeCell(source: source, tags: run.failed ? [Cell.Tag.raises] : [])
        var finished = cell
        finished.outputs = run.cellOutputs
        do {
            try PlotAssets.store(&finished.outputs, cellNumber: cell.n, notebook: recorder.url)
        } catch {
            if failure == nil { failure = "cannot write the plot files: \(error)" }
        }
        do {
            try recorder.record(finished)
            return true
        } catch {
            if failure == nil { failure = "\(error)" }
            return false
        }
    }

    /// The default file name for a session started at `date`: `attune-session-YYYYMMDD-HHMMSS.attune.md`.
    public static func defaultFileName(at date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "attune-session-\(formatter.string(from: date)).attune.md"
    }
}
