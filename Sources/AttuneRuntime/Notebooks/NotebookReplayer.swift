import AttuneNotebook
import Essentials
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
    /// Commands may use the network (`serve start`; `--allow-network`).
    public var allowsNetwork = false
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
    /// Stops after the cell numbered `lastCell` (`replay --to N`); the cells after it keep their
    /// recorded outputs.
    public var lastCell: Int?
    /// Told after each cell with the recorded cell and its replay (new outputs); returning false
    /// stops the replay there (`attune open` stops at the first output that differs).
    public var shouldContinue: ((_ recorded: Cell, _ replayed: Cell) -> Bool)?
    /// The commands the cells may use: the executable adds the ones of modules the runtime does
    /// not link (`serve`), so a notebook replays with what the REPL that recorded it had.
    public var registry: CommandRegistry

    public init(folder: URL, allowedPaths: [URL] = [], registry: CommandRegistry = .standard) {
        self.folder = folder
        self.allowedPaths = allowedPaths
        self.registry = registry
    }

    /// A cell whose outcome was not what its tags say: an error in a cell not tagged `raises`, or
    /// no error in one that is.
    public struct Surprise: Sendable, Equatable {
        public var cellNumber: Int
        public var message: String
    }

    /// What a replay gave.
    public struct Result {
        /// The notebook with the replayed cells' new outputs.
        public var document: NotebookDocument
        /// Cells that failed unexpectedly (or ran when tagged `raises`).
        public var surprises: [Surprise]
        /// The last cell run when the replay stopped early (`lastCell`, `shouldContinue`, or
        /// `stopsAtUnexpectedError`); nil when every cell ran.
        public var stoppedAfter: Int?
    }

    /// A fresh session for `document`: its seed, the numerics mode (`numerics` or the recorded
    /// one; this puts the process in that mode), and paths confined to the notebook's folder.
    /// `stop` is the flag Ctrl-C sets (the REPL's shared one for `attune open`).
    public func makeInterpreter(for document: NotebookDocument, stop: StopFlag = StopFlag()) -> Interpreter {
        let mode = numerics ?? NumericsProvenance.recordedMode(document)
        let session = Session(seed: document.frontMatter?.seed ?? Session.defaultSeed, numerics: mode,
                              paths: .confined(to: folder, extra: allowedPaths, allowsNetwork: allowsNetwork), stop: stop)
        session.liveStream = liveStream
        return Interpreter(session: session, registry: registry)
    }

    /// Replays `document` in a fresh session; the process's numerics mode is put back afterwards.
    public func replay(_ document: NotebookDocument) -> Result {
        let modeBefore = Numerics.mode
        defer { Numerics.mode = modeBefore }
        return replay(document, in: makeInterpreter(for: document))
    }

    /// Replays `document` in `interpreter`'s session (made by `makeInterpreter(for:)`), which
    /// holds the notebook's state afterwards (`attune open` continues in it).
    public func replay(_ document: NotebookDocument, in interpreter: Interpreter) -> Result {
        let session = interpreter.session
        let mode = session.hyperparameters.numerics
        for message in dataChanges(document) { warn?(message) }
        var dataRead: [(url: URL, sha256: String)] = []
        session.dataFileObserver = { url, sha256 in dataRead.append((url, sha256)) }
        defer { session.dataFileObserver = nil }
        var surprises: [Surprise] = []
        var replayed = document
        var stoppedAfter: Int?
        // A review replays from its recorded ratings and key (no one is asked).
        session.recordedReviewKeys = ReviewRecords.keys(in: document)
        defer { session.recordedOutputs = nil }
        replayed.updateCells { cell in
            guard !cell.hasTag(Cell.Tag.skip), stoppedAfter == nil else { return }
            let recorded = cell
            willRun?(cell)
            // A cell stopped with Ctrl-C stops at the same safe point again.
            session.safePoints.stopAt = cell.stopAfter
            session.recordedOutputs = recorded.outputs
            let run = interpreter.run(source: cell.source)
            session.safePoints.stopAt = nil
            cell.outputs = run.cellOutputs
            didRun?(cell, run)
            let raises = cell.hasTag(Cell.Tag.raises)
            if run.failed, !raises {
                surprises.append(Surprise(cellNumber: cell.n, message: run.firstError.map { "\($0.name): \($0.message)" } ?? "failed"))
                if stopsAtUnexpectedError { stoppedAfter = cell.n }
            } else if !run.failed, raises {
                surprises.append(Surprise(cellNumber: cell.n, message: "the cell is tagged raises but ran without an error"))
            }
            if let shouldContinue, !shouldContinue(recorded, cell) { stoppedAfter = cell.n }
            if let lastCell, cell.n >= lastCell { stoppedAfter = cell.n }
        }
        if var matter = replayed.frontMatter {
            matter.engine = EngineInfo(name: "attune", version: AttuneVersion.current)
            matter.numerics = NumericsProvenance.current(mode: mode)
            // The new notebook names the data it ran on.
            for file in dataRead { matter.noteDataFile(path: FrontMatter.notebookPath(of: file.url, folder: folder), sha256: file.sha256) }
            replayed.frontMatter = matter
        }
        return Result(document: replayed, surprises: surprises, stoppedAfter: stoppedAfter)
    }

    /// One message per data file named in the front matter (`data [{path, sha256}]`, relative
    /// paths against the notebook's folder) that cannot be read or whose SHA-256 is not the
    /// recorded one: the replay then runs on other data, and outputs may differ.
    public func dataChanges(_ document: NotebookDocument) -> [String] {
        guard let files = document.frontMatter?.data else { return [] }
        let policy = PathPolicy.confined(to: folder, extra: allowedPaths)
        return files.compactMap { file in
            guard !file.sha256.isEmpty else { return nil }
            // The front matter is the notebook author's text: its paths obey the same policy as the
            // cells' (links resolved), so no file elsewhere is opened, hashed or said to exist.
            let url: URL
            do { url = try policy.resolve(file.path) } catch {
                return "data file \(file.path) is outside the notebook's folder and the cache; it was not read "
                    + "(run with --allow-paths DIR to let the notebook use it)"
            }
            guard (try? RegularFile.size(of: url.path, limit: DataCommands.maxFileBytes)) != nil,
                  let data = try? Data(contentsOf: url, options: .alwaysMapped) else {
                return "data file \(file.path) (recorded with sha256 \(file.sha256.prefix(12))) cannot be read; the cells that load it will fail"
            }
            let now = ContentHash.sha256Hex(data)
            guard now.lowercased() != file.sha256.lowercased() else { return nil }
            return "data file \(file.path) changed since the notebook was recorded (sha256 \(file.sha256.prefix(12)) then, \(now.prefix(12)) now): outputs may differ"
        }
    }
}
