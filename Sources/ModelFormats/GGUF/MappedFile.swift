import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only, private memory mapping of a whole file, unmapped when the last reference goes.
final class MappedFile: @unchecked Sendable {
    let base: UnsafeRawPointer
    let count: Int
    private let mapping: UnsafeMutableRawPointer?

    init(url: URL) throws {
        let file = url.lastPathComponent
        let fd = open(url.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)   // a FIFO must not block the open
        guard fd >= 0 else {
            throw GGUFError(file: file, .io("cannot open \(url.path): \(String(cString: strerror(errno)))"))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw GGUFError(file: file, .io("cannot stat \(url.path): \(String(cString: strerror(errno)))"))
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw GGUFError(file: file, .io("\(url.path) is not a regular file")) }
        let size = Int(st.st_size)
        guard size > 0 else {
            // mmap cannot map zero bytes; an empty file is simply truncated.
            base = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))
            count = 0
            mapping = UnsafeMutableRawPointer(mutating: base)
            return
        }
        let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else {
            throw GGUFError(file: file, .io("cannot map \(url.path): \(String(cString: strerror(errno)))"))
        }
        base = UnsafeRawPointer(p)
        count = size
        mapping = p
    }

    deinit {
        if count > 0 { munmap(mapping, count) } else { mapping?.deallocate() }
    }
}
