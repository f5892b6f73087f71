import AttuneNotebook
import Foundation

/// Records what a session runs as notebook cells, appended as each finishes (crash-safe: see
/// `NotebookRecorder`). A cell that failed is tagged `raises`, so replaying the notebook expects
/// the same error rather than stopping at it. Once attached to the session (`observe`), data
/// files the session reads go into the front matter's `data` list with their SHA-256.
public final class SessionRecorder {
    public let recorder: NotebookRecorder
    /// The first recording problem (disk full, file removed), reported once.
    public private(set) var failure: String?

    /// Creates the notebook file with a front matter holding the format, title, creation time,
    /// engine, seed, numerics (the mode the recording starts in, with this machine's kernels,
    /// threads and CPU) and default verification settings. Fails if the file exists.
    public init(creating url: URL, seed: UInt64, title: String, numerics: NumericsInfo = NumericsProvenance.current(),
                now: Date = Date()) throws {
        var matter = FrontMatter()
        matter.format = FrontMatter.formatTag
        matter.title = title
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        matter.created = formatter.string(from: now)
        matter.engine = EngineInfo(name: "attune", version: AttuneVersion.current)
        matter.seed = seed
        matter.numerics = numerics
        matter.verify = VerifySettings()
        recorder = try NotebookRecorder.create(at: url, frontMatter: matter)
    }

    /// Continues recording into the existing notebook at `url` (`attune open`): new cells are
    /// numbered after its last one. A last cell cut off by a killed session is dropped first
    /// (`droppedTail` says what); the front matter is kept.
    public init(resuming url: URL) throws {
        let resumed = try NotebookRecorder.resume(at: url)
        recorder = resumed.recorder
        droppedTail = resumed.droppedTail.map { "\($0)" }
    }

    /// What `init(resuming:)` dropped from the end of the file, if anything.
    public private(set) var droppedTail: String?

    /// Appends one cell: `source` and the outputs of its run. Returns false (and keeps the reason
    /// in `failure`) when the file could not be written; the session goes on either way.
    @discardableResult
    public func record(source: String, run: SourceRun) -> Bool {
        let cell = recorder.makeCell(source: source, tags: run.failed ? [Cell.Tag.raises] : [])
        var finished = cell
        finished.outputs = run.cellOutputs
        finished.stopAfter = run.stoppedAtSafePoint
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

    /// Notes every data file `session` reads (`data load`) in the front matter's `data` list: its
    /// path relative to the notebook's folder (absolute when outside it) and SHA-256, so replay
    /// and verify can warn when the file changed. The front matter is rewritten through a
    /// temporary file and `rename`, so a kill at any moment leaves the old or the new header.
    /// The model it makes or loads goes into the `model` key the same way (see `ModelProvenance`).
    public func observe(_ session: Session) {
        session.dataFileObserver = { [weak self] url, sha256 in self?.noteDataFile(url, sha256: sha256) }
        session.modelObserver = { [weak self] model in self?.noteModel(model) }
    }

    /// Puts `model` in the front matter's `model` key (nothing is written when it already says so).
    func noteModel(_ model: ModelProvenance) {
        let value = model.json(notebookFolder: recorder.url.deletingLastPathComponent())
        guard recorder.document.frontMatter?.model != value else { return }
        do {
            try recorder.updateFrontMatter { $0.model = value }
        } catch {
            if failure == nil { failure = "\(error)" }
        }
    }

    /// Puts `url` with `sha256` in the front matter (nothing is written when it is already there).
    func noteDataFile(_ url: URL, sha256: String) {
        let path = FrontMatter.notebookPath(of: url, folder: recorder.url.deletingLastPathComponent())
        guard recorder.document.frontMatter?.data.contains(DataFileInfo(path: path, sha256: sha256)) != true else { return }
        do {
            try recorder.updateFrontMatter { $0.noteDataFile(path: path, sha256: sha256) }
        } catch {
            if failure == nil { failure = "\(error)" }
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
