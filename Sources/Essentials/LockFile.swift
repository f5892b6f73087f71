import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An advisory lock held through a separate file (`NAME.lock` beside the file it guards), for as
/// long as the value lives: a second holder — another process, or another `LockFile` in this one —
/// is refused at once instead of waiting.
///
/// The lock is `flock(LOCK_EX | LOCK_NB)` on the lock file, which the kernel releases when the
/// process ends, so a killed process leaves a stale file that the next holder simply locks again.
/// The guarded file itself may be replaced by `rename` while locked (a lock on it would not
/// survive that). Releasing removes the lock file; a holder that locked a file someone removed
/// meanwhile notices (the path no longer names the inode it locked) and locks afresh.
public final class LockFile: @unchecked Sendable {
    /// The lock file's path.
    public let path: String
    private var fd: Int32

    /// Why a lock could not be taken.
    public struct Refused: Error, Sendable, Equatable, CustomStringConvertible {
        public var path: String
        /// The process id the holder wrote into the lock file, when it could be read.
        public var holder: Int32?
        /// True when another holder has the lock (rather than the file being unusable).
        public var isHeld: Bool
        public var reason: String
        public var description: String { reason }
    }

    /// Takes the lock on `path` (created when missing) or throws `Refused` at once.
    public init(path: String) throws(Refused) {
        self.path = path
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw Refused(path: path, holder: nil, isHeld: false, reason: "cannot create the lock file \(path): \(String(cString: strerror(errno)))")
            }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                let holder = Self.readHolder(fd)
                close(fd)
                if code == EWOULDBLOCK {
                    let who = holder.map { "process \($0)" } ?? "another process"
                    throw Refused(path: path, holder: holder, isHeld: true, reason: "\(who) holds the lock \(path)")
                }
                throw Refused(path: path, holder: nil, isHeld: false, reason: "cannot lock \(path): \(String(cString: strerror(code)))")
            }
            // The file may have been removed (released) between our open and our lock: then the
            // lock is on an orphan inode, and a third process could lock a new file at `path`.
            var opened = stat(), named = stat()
            if fstat(fd, &opened) == 0, stat(path, &named) == 0, opened.st_ino == named.st_ino, opened.st_dev == named.st_dev {
                self.fd = fd
                let pid = Array("\(getpid())\n".utf8)
                _ = ftruncate(fd, 0)
                _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
                return
            }
            close(fd)
        }
    }

    deinit { release() }

    /// Removes the lock file and releases the lock (also done when the value goes away).
    public func release() {
        guard fd >= 0 else { return }
        unlink(path)
        close(fd)
        fd = -1
    }

    private static func readHolder(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
