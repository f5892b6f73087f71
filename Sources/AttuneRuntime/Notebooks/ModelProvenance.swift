import AttuneNotebook
import Foundation

/// What a notebook's front matter says about the model a session made or loaded (the `model`
/// key of DESIGN §4), in the form the example notebooks use: `{"name": "tiny", "config": {…}}`
/// for the tiny model, `{"name": "smollm2", "file": "….gguf", "sha256": "…"}` for a file.
public struct ModelProvenance: Sendable, Equatable {
    /// `tiny`, a built-in name, or the path as written.
    public var name: String
    /// The model file, for a built-in name or a `.gguf` path.
    public var file: URL?
    /// The file's SHA-256 as hex, when there is a file.
    public var sha256: String?
    /// The tiny model's options, in `model new tiny` argument names and order.
    public var config: [(key: String, value: Int)] = []

    public init(name: String, file: URL? = nil, sha256: String? = nil, config: [(key: String, value: Int)] = []) {
        self.name = name
        self.file = file
        self.sha256 = sha256
        self.config = config
    }

    public static func == (a: ModelProvenance, b: ModelProvenance) -> Bool {
        a.name == b.name && a.file == b.file && a.sha256 == b.sha256
            && a.config.map(\.key) == b.config.map(\.key) && a.config.map(\.value) == b.config.map(\.value)
    }

    /// The front matter value, with a file named relative to the notebook's `folder` when it lies
    /// inside it and by its file name otherwise (a cache path differs between machines).
    public func json(notebookFolder folder: URL) -> JSONValue {
        var entries: [(key: String, value: JSONValue)] = [("name", .string(name))]
        if let file {
            let path = FrontMatter.notebookPath(of: file, folder: folder)
            entries.append(("file", .string(path.hasPrefix("/") ? file.lastPathComponent : path)))
        }
        if let sha256 { entries.append(("sha256", .string(sha256))) }
        if !config.isEmpty { entries.append(("config", .object(config.map { (key: $0.key, value: JSONValue.number(Double($0.value))) }))) }
        return .object(entries)
    }
}
