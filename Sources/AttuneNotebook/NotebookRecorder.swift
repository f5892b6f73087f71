import Essentials
import Foundation
import Synchronization

/// Problems recording a notebook.
public enum NotebookRecorderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Cell numbers must strictly increase.
    case cellNumberNotIncreasing(n: Int, last: Int)
    /// Cell ids must be unique in the notebook.
    case duplicateCellID(String)
    /// The notebook file already exists (creating never overwrites).
    case alreadyExists(String)
    /// Another recorder (another `attune` session) holds the notebook's lock file.
    case beingRecorded(path: String, holder: Int32?)

    public var description: String {
        switch self {
        case let .cellNumberNotIncreasing(n, last): return "cell number \(n) does not follow \(last)"
        case let .duplicateCellID(id): return "cell id \"\(id)\" is already used"
        case let .alreadyExists(path): return "\(path) already exists"
        case let .beingRecorded(path, holder):
            let who = holder.map { "process \($0)" } ?? "another attune session"
            return "\(path) is being recorded by \(who) (lock \(path).lock); end that session first, or record to another file"
        }
    }
}

/// Records a session into a notebook file as it goes.
///
/// Each finished cell (source and outputs, then an empty line that marks it finished) is appended
/// in one write with open-append-`fsync`, so a session killed at any point keeps every cell that
/// had finished; whole-file rewrites (front matter
/// changes, `--fix`, trimming a cut-off tail on resume) go through a temporary file and `rename`.
/// Safe to share between tasks: every operation holds one lock. Across processes, a recorder
/// holds `NAME.attune.md.lock` (see `LockFile`) for as long as it lives, so a second session
/// recording into the same notebook is refused instead of interleaving cells.
public final class NotebookRecorder: Sendable {
    /// The notebook file.
    public let url: URL
    private let state: Mutex<NotebookDocument>
    private let lock: LockFile

    private init(url: URL, document: NotebookDocument, lock: LockFile) {
        self.url = url
        self.state = Mutex(document)
        self.lock = lock
    }

    /// Releases the notebook's lock file (also done when the recorder goes away, and by the kernel
    /// when the process ends); record nothing after this.
    public func close() { lock.release() }

    /// Takes the lock file of the notebook at `url`, or explains who holds it.
    static func takeLock(for url: URL) throws -> LockFile {
        do {
            return try LockFile(path: url.path + ".lock")
        } catch {
            if error.isHeld {
                throw NotebookRecorderError.beingRecorded(path: url.path, holder: error.holder)
            }
            throw error
        }
    }

    /// The notebook as recorded so far.
    public var document: NotebookDocument { state.withLock { $0 } }

    /// Creates a new notebook file holding `frontMatter` (and optional opening prose).
    /// Fails if the file exists, also when another process creates it at the same moment.
    public static func create(at url: URL, frontMatter: FrontMatter, prose: String? = nil) throws -> NotebookRecorder {
        if FileManager.default.fileExists(atPath: url.path) { throw NotebookRecorderError.alreadyExists(url.path) }
        let lock = try takeLock(for: url)
        var document = NotebookDocument(frontMatter: frontMatter)
        if let prose { document.appendProse("\n" + prose) }
        let created = Result { () throws(FileWriteError) in try AtomicFile.create(url.path, with: Data(NotebookWriter.write(document).utf8)) }
        if case .failure(let error) = created {
            throw error.alreadyExists ? NotebookRecorderError.alreadyExists(url.path) as Error : error
        }
        return NotebookRecorder(url: url, document: document, lock: lock)
    }

    /// Continues recording into an existing notebook. A last cell cut off mid-block (from a killed
    /// session) is dropped and the file rewritten without it; `droppedTail` says what was dropped.
    /// A last cell that is well formed but lacks the recorder's closing empty line is kept (it
    /// may be hand-written, or cut between two outputs: `NotebookReader.Recovered` tells).
    public static func resume(at url: URL) throws -> (recorder: NotebookRecorder, droppedTail: NotebookReadError?) {
        let lock = try takeLock(for: url)
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        let recovered = try NotebookReader.readRecovering(text)
        var document = recovered.document
        if recovered.droppedTail != nil {
            document.endsWithNewline = true
            try AtomicFile.replace(url.path, with: Data(NotebookWriter.write(document).utf8))
        } else if !document.endsWithNewline {
            try AtomicFile.append(Data("\n".utf8), to: url.path)
            document.endsWithNewline = true
        }
        return (NotebookRecorder(url: url, document: document, lock: lock), recovered.droppedTail)
    }

    /// The number the next cell gets: one more than the last.
    public var nextCellNumber: Int { state.withLock { $0.lastCellNumber + 1 } }

    /// A new cell numbered after the last one, with a fresh id derived from the front matter's
    /// seed (0 when absent). Not recorded until passed to `record(_:)`.
    public func makeCell(source: String, tags: [String] = []) -> Cell {
        state.withLock { document in
            let n = document.lastCellNumber + 1
            let generator = CellIDGenerator(seed: document.frontMatter?.seed ?? 0)
            let id = generator.id(for: n, avoiding: Set(document.cells.map(\.id)))
            return Cell(n: n, id: id, tags: tags, source: source)
        }
    }

    /// Appends a finished cell to the file and `fsync`s it.
    public func record(_ cell: Cell) throws {
        try state.withLock { document in
            let last = document.lastCellNumber
            guard cell.n > last else { throw NotebookRecorderError.cellNumberNotIncreasing(n: cell.n, last: last) }
            guard !document.cells.contains(where: { $0.id == cell.id }) else { throw NotebookRecorderError.duplicateCellID(cell.id) }
            let chunk = document.separatorBeforeNextCell + NotebookWriter.write(cell) + "\n"
            try AtomicFile.append(Data(chunk.utf8), to: url.path)
            document.append(cell)
            document.appendRawProse("\n")
        }
    }

    /// Appends Markdown prose (a note typed between commands).
    public func recordProse(_ markdown: String) throws {
        try state.withLock { document in
            var updated = document
            updated.appendProse(markdown)
            let before = NotebookWriter.write(document)
            let after = NotebookWriter.write(updated)
            if after.utf8.starts(with: before.utf8) {
                try AtomicFile.append(Data(after.utf8.dropFirst(before.utf8.count)), to: url.path)
            } else {
                try AtomicFile.replace(url.path, with: Data(after.utf8))
            }
            document = updated
        }
    }

    /// Replaces the whole file with `newDocument` (temporary file, then `rename`).
    public func rewrite(_ newDocument: NotebookDocument) throws {
        try state.withLock { document in
            try AtomicFile.replace(url.path, with: Data(NotebookWriter.write(newDocument).utf8))
            document = newDocument
        }
    }

    /// Changes the front matter and rewrites the file.
    public func updateFrontMatter(_ change: (inout FrontMatter) -> Void) throws {
        var document = self.document
        var matter = document.frontMatter ?? FrontMatter()
        change(&matter)
        document.frontMatter = matter
        try rewrite(document)
    }

    /// The notebook's asset folder: `<name>.assets` beside it (`run.attune.md` → `run.assets`).
    public var assetsFolderName: String { Self.assetsFolderName(for: url) }

    /// `<name>.assets` for a notebook at `url`.
    public static func assetsFolderName(for url: URL) -> String {
        var name = url.lastPathComponent
        for suffix in [".attune.md", ".md"] where name.hasSuffix(suffix) {
            name.removeLast(suffix.count)
            break
        }
        return name + ".assets"
    }

    /// Stores `data` in the asset folder as `<stem>-<first 8 hex of its SHA-256>.<ext>` and returns
    /// the path relative to the notebook (what `src=` and `series=` hold). Same content, same name.
    public func storeAsset(_ data: Data, stem: String, fileExtension: String) throws -> String {
        try Self.storeAsset(data, named: "\(stem)-\(ContentHash.sha256Hex(data).prefix(8)).\(fileExtension)", besideNotebook: url)
    }

    /// Stores `data` as `name` in the asset folder of the notebook at `notebook` (created when
    /// missing; an identical file is left alone) and returns the path relative to the notebook.
    public static func storeAsset(_ data: Data, named name: String, besideNotebook notebook: URL) throws -> String {
        let folderName = assetsFolderName(for: notebook)
        let folder = notebook.deletingLastPathComponent().appendingPathComponent(folderName)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let target = folder.appendingPathComponent(name)
        if (try? Data(contentsOf: target)) != data {
            try AtomicFile.replace(target.path, with: data)
        }
        return folderName + "/" + name
    }
}
