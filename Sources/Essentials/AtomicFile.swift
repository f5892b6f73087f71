import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Durable writes: appends that reach the disk before returning, and whole-file replacements
/// that readers see either entirely old or entirely new.
public enum AtomicFile {
    /// Opens `path` for appending, writes `data`, `fsync`s and closes. A process killed after this
    /// returns keeps the data; one killed during it leaves at most a partial tail.
    public static func append(_ data: Data, to path: String) throws(FileWriteError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path, "open for appending") }
        defer { close(fd) }
        try writeAll(fd, [UInt8](data), path: path)
        guard fsync(fd) == 0 else { throw failure(path, "fsync") }
    }

    /// Writes `data` to a temporary file beside `path` (created exclusively, with an unpredictable
    /// name), `fsync`s it, renames it over `path` and `fsync`s the folder, so a crash leaves either
    /// the old file or the new one, never a half-written one.
    public static func replace(_ path: String, with data: Data) throws(FileWriteError) {
        do {
            try replace(path) { write in try write([UInt8](data)) }
        } catch let error as FileWriteError {
            throw error
        } catch {
            throw FileWriteError(path: path, operation: "write", reason: "\(error)")
        }
    }

    /// Like `replace(_:with:)` for contents too large to hold at once: `body` is handed a `write`
    /// function to call with successive chunks. When `body` throws, the temporary file is removed,
    /// `path` is left as it was and the error is rethrown.
    public static func replace(_ path: String, streaming body: (_ write: ([UInt8]) throws -> Void) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(temporary, "create") }
        do {
            try body { bytes throws(FileWriteError) in try writeAll(fd, bytes, path: temporary) }
            guard fsync(fd) == 0 else { throw failure(temporary, "fsync") }
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = failure(path, "rename \(temporary) to")
            unlink(temporary)
            throw error
        }
        let dfd = open(folder, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }

    /// Creates `path` holding `data`, only if nothing is there: the content is written and
    /// `fsync`ed under a temporary name, then `link`ed to `path`, which fails when `path` exists.
    /// Two processes creating the same file at once: exactly one succeeds, and the file is never
    /// seen half written. Throws `FileWriteError` with `alreadyExists` true when `path` was taken.
    public static func create(_ path: String, with data: Data) throws(FileWriteError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".new-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(temporary, "create") }
        defer { unlink(temporary) }
        let written = Result { () throws(FileWriteError) in
            try writeAll(fd, [UInt8](data), path: temporary)
            guard fsync(fd) == 0 else { throw failure(temporary, "fsync") }
        }
        close(fd)
        try written.get()
        guard link(temporary, path) == 0 else {
            let code = errno
            var error = failure(path, "create")
            error.alreadyExists = code == EEXIST
            throw error
        }
        let dfd = open(folder, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }

    /// `replace(_:with:)` for a file URL, creating the folder first when it is missing.
    public static func write(_ data: Data, to url: URL) throws(FileWriteError) {
        let folder = url.deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw FileWriteError(path: folder, operation: "create the folder", reason: "\(error)")
            }
        }
        try replace(url.path, with: data)
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(FileWriteError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw failure(path, "write")
            }
            offset += written
        }
    }

    private static func failure(_ path: String, _ operation: String) -> FileWriteError {
        FileWriteError(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }
}
