import Essentials
import Foundation

/// Where verification reads a plot's series file from (paths are relative to the notebook).
public struct AssetSource: Sendable {
    /// Returns the file's bytes, or nil when it cannot be read.
    public let load: @Sendable (String) -> Data?

    public init(load: @Sendable @escaping (String) -> Data?) {
        self.load = load
    }

    /// The largest asset read (plot PNGs and series JSON are a few hundred KiB).
    public static let maxAssetBytes = 64 << 20

    /// Files relative to `folder` (the notebook's folder). Paths that leave it are refused — by
    /// their text (`..`, absolute) and by where they really lead (a symbolic link to a file
    /// elsewhere; the real path must lie inside the folder's real path) — as are non-regular files
    /// and files over `maxAssetBytes`: a notebook from someone else may only read beside itself,
    /// so an export cannot embed another file.
    public static func folder(_ folder: URL) -> AssetSource {
        AssetSource { path in
            guard !path.hasPrefix("/"), !path.split(separator: "/").contains(".."), !path.contains("\0") else { return nil }
            let file = folder.appendingPathComponent(path).path
            guard RegularFile.isInside(file, folder: folder.path) else { return nil }
            return try? RegularFile.read(file, limit: maxAssetBytes)
        }
    }

    /// Fixed contents keyed by path (tests, in-memory replays).
    public static func files(_ files: [String: Data]) -> AssetSource {
        AssetSource { files[$0] }
    }

    /// No files at all.
    public static let none = AssetSource { _ in nil }
}
