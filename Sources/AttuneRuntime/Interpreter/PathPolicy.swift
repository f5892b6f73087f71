import Foundation

/// Where commands may read and write files, and what relative paths mean.
///
/// In the REPL and `attune -c` every path is allowed and relative paths resolve against the
/// current directory. When running a file someone else wrote (`run`, `replay`, `verify`), relative
/// paths resolve against the file's folder and only files under that folder, the cache and the
/// folders given with `--allow-paths` may be touched. Paths are compared after `..` and symbolic
/// links are resolved, so `data/../../secret` and a link pointing out are refused alike.
public struct PathPolicy: Sendable, Equatable {
    /// The folder relative paths resolve against.
    public var base: URL
    /// Folders under which files may be used; nil allows every path.
    public var allowedRoots: [URL]?

    public init(base: URL, allowedRoots: [URL]?) {
        self.base = base.standardizedFileURL
        self.allowedRoots = allowedRoots?.map(\.standardizedFileURL)
    }

    /// Every path allowed, relative to the current directory (REPL, `-c`).
    public static func unrestricted(base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> PathPolicy {
        PathPolicy(base: base, allowedRoots: nil)
    }

    /// Only the file's folder, the cache and `extra` folders (`run`, `replay`, `verify`).
    public static func confined(to folder: URL, extra: [URL] = []) -> PathPolicy {
        PathPolicy(base: folder, allowedRoots: [folder, AttunePaths.cache] + extra)
    }

    /// The absolute URL of `path` if the policy allows it.
    public func resolve(_ path: String) throws(CommandError) -> URL {
        guard !path.isEmpty else { throw .invalidValue("the path is empty", at: nil) }
        guard !path.contains("\0") else { throw .invalidValue("the path contains a NUL character", at: nil) }
        let expanded = path.hasPrefix("~/") ? NSString(string: path).expandingTildeInPath : path
        let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded) : base.appendingPathComponent(expanded)
        let resolved = Self.canonical(url)
        guard let roots = allowedRoots else { return resolved }
        for root in roots where Self.isInside(resolved, Self.canonical(root)) { return resolved }
        throw CommandError("PathNotAllowed",
                           "'\(path)' is outside the notebook's folder (\(base.path)) and the cache (\(AttunePaths.cache.path)); "
                           + "a notebook may only use files there unless run with --allow-paths DIR")
    }

    /// The path with `..` and symbolic links resolved (as far as the path exists).
    static func canonical(_ url: URL) -> URL {
        let standardized = url.standardizedFileURL
        // Resolve links on the longest existing prefix, then add back the parts that do not exist yet.
        var existing = standardized
        var missing: [String] = []
        while !FileManager.default.fileExists(atPath: existing.path), existing.path != "/" {
            missing.insert(existing.lastPathComponent, at: 0)
            existing.deleteLastPathComponent()
        }
        var result = existing.resolvingSymlinksInPath()
        for part in missing { result.appendPathComponent(part) }
        return result.standardizedFileURL
    }

    static func isInside(_ url: URL, _ root: URL) -> Bool {
        let parts = url.pathComponents, rootParts = root.pathComponents
        return parts.count >= rootParts.count && Array(parts.prefix(rootParts.count)) == rootParts
    }
}

/// Attune's folders: the cache (`ATTUNE_CACHE`, default `~/.cache/attune`) and the home
/// (`ATTUNE_HOME`, default `~/.attune`) that holds the REPL history.
public enum AttunePaths {
    public static var cache: URL {
        if let value = ProcessInfo.processInfo.environment["ATTUNE_CACHE"], !value.isEmpty { return URL(fileURLWithPath: value) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/attune")
    }

    public static var home: URL {
        if let value = ProcessInfo.processInfo.environment["ATTUNE_HOME"], !value.isEmpty { return URL(fileURLWithPath: value) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".attune")
    }

    /// The plain-text REPL history, one statement per line.
    public static var history: URL { home.appendingPathComponent("history") }
}
