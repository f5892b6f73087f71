import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file operation that failed, with the path and the system's reason.
public struct FileWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var reason: String
    public var description: String { "cannot \(operation) \(path): \(reason)" }
}

/// Durable writes: appends that reach the disk before returning, and whole-file replacements
/// that readers see either entirely old or entirely new.
enum AtomicFile {
    /// Opens `path` for appending, writes `data`, `fsync`s and closes. A process killed after this
    /// returns keeps the data; one killed during it leaves at most a partial tail.
    static func append(_ data: Data, to path: String) throws(FileWriteError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path, "open for appending") }
        defer { close(fd) }
        try writeAll(fd, data, path: path)
        guard fsync(fd) == 0 else { throw failure(path, "fsync") }
    }

    /// Writes `data` to a temporary file beside `path`, `fsync`s it, renames it over `path` and
    /// `fsync`s the folder.
    static func replace(_ path: String, with data: Data) throws(FileWriteError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(temporary, "create") }
        do throws(FileWriteError) {
            try writeAll(fd, data, path: temporary)
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

    private static func writeAll(_ fd: Int32, _ data: Data, path: String) throws(FileWriteError) {
        let bytes = [UInt8](data)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
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
