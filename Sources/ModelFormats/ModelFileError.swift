/// A problem with a model or adapter file, naming the file, the entry and what is wrong.
public struct ModelFileError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    public let entry: String?
    public let problem: String

    public init(file: String, entry: String? = nil, _ problem: String) {
        self.file = file
        self.entry = entry
        self.problem = problem
    }

    public var description: String {
        if let entry { return "\(file): \(entry): \(problem)" }
        return "\(file): \(problem)"
    }
}
