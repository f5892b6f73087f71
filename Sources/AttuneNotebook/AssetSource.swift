import Foundation

/// Where verification reads a plot's series file from (paths are relative to the notebook).
public struct AssetSource: Sendable {
    /// Returns the file's bytes, or nil when it cannot be read.
    public let load: @Sendable (String) -> Data?

    public init(load: @Sendable @escaping (String) -> Data?) {
        self.load = load
    }

    /// Files relative to `folder` (the notebook's folder). Paths that leave it (`..`, absolute)
    /// are refused: a notebook from someone else may only read beside itself.
    public static func folder(_ folder: URL) -> AssetSource {
        AssetSource { path in
            guard !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else { return nil }
            return try? Data(contentsOf: folder.appendingPathComponent(path))
        }
    }

    /// Fixed contents keyed by path (tests, in-memory replays).
    public static func files(_ files: [String: Data]) -> AssetSource {
        AssetSource { files[$0] }
    }

    /// No files at all.
    public static let none = AssetSource { _ in nil }
}
