import AttuneNotebook
import Foundation
import TensorCore

/// Re-runs a notebook's cells top to bottom in a fresh session and returns the notebook with the
/// new outputs (prose, front matter, numbering and ids kept), which `replay` writes and `verify`
/// compares with the recording.
///
/// The session starts from the front matter's seed and numerics mode (`numerics.mode`; `fast`
/// for a notebook recorded before the modes existed); the replayed front matter records the mode
/// it ran in, and the process's mode is put back afterwards. Relative paths resolve against the
/// notebook's folder and only that folder, the cache and `allowedPaths` may be touched. Cells tagged `skip`
/// are not run (their recorded outputs stay); a cell with `stop_after=K` (stopped with Ctrl-C
/// when recorded) has its long command stopped at the same safe point.
public struct NotebookReplayer {
    /// The notebook's folder.
    public var folder: URL
    /// Folders beyond the notebook's and the cache that commands may use (`--allow-paths`).
    public var allowedPaths: [URL] = []
    /// Called before each cell runs (to print progress).
    public var willRun: ((Cell) -> Void)?
    /// Called after each cell with what it gave.
    public var didRun: ((Cell, SourceRun) -> Void)?
    /// Prints stream lines as commands emit them.
    public var liveStream: ((String) -> Void)?
    /// Stop at the first cell that fails without being tagged `raises` (`attune run`); the cells
    /// after it keep their recorded outputs. Replay and verify run every cell.
    public var stopsAtUnexpectedError = false
    /// Told, before any cell runs, about each data file of the front matter that is missing or
    /// whose content changed since the recording (see `dataChanges`).
    public var warn: ((String) -> Void)?
    /// Runs in this numerics mode instead of the notebook's (`--numerics`).
    public var numerics: NumericsMode?

    public init(folder: URL, allowedPaths: [URL] = []) {
        self.folder = folder
        self.allowedPaths = allowedPaths
    }

    /// A cell whose outcome was not what its tags say: an error in a cell not tagged `raises`, or
    /// no error in one that is.
    public struct Surprise: Sendable, Equatable {
        public var cellNumber: Int
        public var message: String
    }

    /// The replayed notebook and the cells that failed unexpectedly.
    public func replay(_ document: NotebookDocument) -> (document: NotebookDocument, surprises: [Surprise]) {
        let mode = numerics ?? NumericsProvenance.recordedMode(document)
        let modeBefore = Numerics.mode
        defer { Numerics.mode = modeBefore }
        let session = Session(seed: document.frontMatter?.seed ?? Session.defaultSeed, numerics: mode,
                              paths: .confined(to: folder, extra: allowedPaths))
        session.liveStream = liveStream
        for message in dataChanges(document) { warn?(message) }
        var dataRead: [(url: URL, sha256: String)] = []
        session.dataFileObserver = { url, sha256 in dataRead.append((url, sha256)) }
        let interpreter = Interpreter(session: session)
        var surprises: [Surprise] = []
        var replayed = document
        var stopped = false
        replayed.updateCells { cell in
            guard !cell.hasTag(Cell.Tag.skip), !stopped else { return }
            willRun?(cell)
            // A cell stopped with Ctrl-C stops at the same safe point again.
            session.safePoints.stopAt = cell.stopAfter
            let run = interpreter.run(source: cell.source)
            session.safePoints.stopAt = nil
            cell.outputs = run.cellOutputs
            didRun?(cell, run)
            let raises = cell.hasTag(Cell.Tag.raises)
            if run.failed, !raises {
                surprises.append(Surprise(cellNumber: cell.n, message: run.firstError.map { "\($0.name): \($0.message)" } ?? "failed"))
                if stopsAtUnexpectedError { stopped = true }
            } else if !run.failed, raises {
                surprises.append(Surprise(cellNumber: cell.n, message: "the cell is tagged raises but ran without an error"))
            }
        }
        if var matter = replayed.frontMatter {
            matter.engine = EngineInfo(name: "attune", version: AttuneVersion.current)
            matter.numerics = NumericsProvenance.current(mode: mode)
            // The new notebook names the data it ran on.
            for file in dataRead { matter.noteDataFile(path: FrontMatter.notebookPath(of: file.url, folder: folder), sha256: file.sha256) }
            replayed.frontMatter = matter
        }
        return (replayed, surprises)
    }

    /// One message per data file named in the front matter (`data [{path, sha256}]`, relative
    /// paths against the notebook's folder) that cannot be read or whose SHA-256 is not the
    /// recorded one: the replay then runs on other data, and outputs may differ.
    public func dataChanges(_ document: NotebookDocument) -> [String] {
        guard let files = document.frontMatter?.data else { return [] }
        return files.compactMap { file in
            guard !file.sha256.isEmpty else { return nil }
            let url = file.path.hasPrefix("/") ? URL(fileURLWithPath: file.path) : folder.appendingPathComponent(file.path)
            guard let data = try? Data(contentsOf: url, options: .alwaysMapped) else {
                return "data file \(file.path) (recorded with sha256 \(file.sha256.prefix(12))) cannot be read; the cells that load it will fail"
            }
            let now = ContentHash.sha256Hex(data)
            guard now.lowercased() != file.sha256.lowercased() else { return nil }
            return "data file \(file.path) changed since the notebook was recorded (sha256 \(file.sha256.prefix(12)) then, \(now.prefix(12)) now): outputs may differ"
        }
    }
}
