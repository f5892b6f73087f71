import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading a file that someone else named (a notebook, a model folder, a data path): symbolic
/// links are followed to the real file, only regular files are read (a FIFO, a device or a socket
/// is refused before any read that could block or never end), and the size is checked against a
/// cap first, so no read allocates more than the caller allowed.
public enum RegularFile {
    /// Why a file was refused: `data/x.jsonl: is a FIFO, not a regular file`.
    public struct Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        public let path: String
        public let reason: String

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }

        public var description: String { "\(path): \(reason)" }
    }

    /// The real path of `path` (every symbolic link and `..` resolved, as `realpath(3)`), or nil
    /// when it does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// True when the real path of `path` lies inside (or is) the real path of `folder`.
    public static func isInside(_ path: String, folder: String) -> Bool {
        guard let file = realPath(path), let root = realPath(folder) else { return false }
        return file == root || file.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    /// The byte count of the regular file at `path` (links followed) when it is at most `limit`
    /// bytes. Uses `stat`, which never blocks, so a FIFO is refused without being opened.
    public static func size(of path: String, limit: Int) throws(Refusal) -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw Refusal(path: path, reason: "cannot read (\(String(cString: strerror(errno))))")
        }
        let type = st.st_mode & S_IFMT
        guard type == S_IFREG else {
            throw Refusal(path: path, reason: "is \(kindName(type)), not a regular file; only regular files are read")
        }
        let size = Int(st.st_size)
        guard size <= limit else {
            throw Refusal(path: path, reason: "is \(NumberText.bytes(size)), larger than the \(NumberText.bytes(limit)) limit for this kind of file")
        }
        return size
    }

    /// The contents of the regular file at `path`, at most `limit` bytes (memory-mapped when
    /// large). Opened with `O_NONBLOCK` and checked again with `fstat` on the descriptor, so a file
    /// swapped for a FIFO between the checks is still refused without blocking.
    public static func read(_ path: String, limit: Int) throws(Refusal) -> Data {
        _ = try size(of: path, limit: limit)
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw Refusal(path: path, reason: "cannot open (\(String(cString: strerror(errno))))") }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG, Int(st.st_size) <= limit else {
            close(fd)
            throw Refusal(path: path, reason: "changed while it was opened; only regular files are read")
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            return try handle.readToEnd() ?? Data()
        } catch {
            throw Refusal(path: path, reason: "cannot read (\(error.localizedDescription))")
        }
    }

    static func kindName(_ type: mode_t) -> String {
        switch type {
        case S_IFDIR: "a folder"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }
}
