import Foundation

/// The `data` key as provenance: which data files a notebook read and their SHA-256, so a replay
/// can tell when a file changed since the recording (DESIGN §4).
extension FrontMatter {
    /// Notes that the notebook read the file at `path` (relative to the notebook's folder when it
    /// lies inside it) with content hash `sha256`: the entry for that path is updated, or a new
    /// one appended. Returns false when the front matter already said exactly this.
    @discardableResult
    public mutating func noteDataFile(path: String, sha256: String) -> Bool {
        var files = data
        if let index = files.firstIndex(where: { $0.path == path }) {
            guard files[index].sha256 != sha256 else { return false }
            files[index].sha256 = sha256
        } else {
            files.append(DataFileInfo(path: path, sha256: sha256))
        }
        data = files
        return true
    }

    /// How a notebook in `folder` names the file at `url`: the path below the folder when the
    /// file lies inside it (`data/support.jsonl`), else the absolute path.
    public static func notebookPath(of url: URL, folder: URL) -> String {
        let base = folder.standardizedFileURL.resolvingSymlinksInPath().pathComponents
        let parts = url.standardizedFileURL.resolvingSymlinksInPath().pathComponents
        guard parts.count > base.count, Array(parts.prefix(base.count)) == base else { return url.standardizedFileURL.path }
        return parts.dropFirst(base.count).joined(separator: "/")
    }
}
