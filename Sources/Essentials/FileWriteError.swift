/// A file operation that failed, with the path and the system's reason.
public struct FileWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var reason: String
    /// True when the operation failed because the file exists (`AtomicFile.create`).
    public var alreadyExists = false
    public var description: String { "cannot \(operation) \(path): \(reason)" }
}
