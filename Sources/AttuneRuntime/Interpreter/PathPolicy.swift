import Essentials
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

    /// Whether commands may listen on or talk to the network (`serve start`, `serve send`): always
    /// in the REPL and `-c`; for a file someone else wrote only with `--allow-network`. (Fetching
    /// the pinned built-in model into the cache is always allowed.)
    public var allowsNetwork: Bool

    public init(base: URL, allowedRoots: [URL]?, allowsNetwork: Bool? = nil) {
        self.base = base.standardizedFileURL
        self.allowedRoots = allowedRoots?.map(\.standardizedFileURL)
        self.allowsNetwork = allowsNetwork ?? (allowedRoots == nil)
    }

    /// Every path allowed, relative to the current directory (REPL, `-c`).
    public static func unrestricted(base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> PathPolicy {
        PathPolicy(base: base, allowedRoots: nil)
    }

    /// Only the file's folder, the cache and `extra` folders (`run`, `replay`, `verify`); no
    /// network unless `allowsNetwork` (`--allow-network`).
    public static func confined(to folder: URL, extra: [URL] = [], allowsNetwork: Bool = false) -> PathPolicy {
        PathPolicy(base: folder, allowedRoots: [folder, AttunePaths.cache] + extra, allowsNetwork: allowsNetwork)
    }

    /// Throws `NetworkNotAllowed` naming `command` and `--allow-network` unless the policy allows the network.
    public func requireNetwork(for command: String) throws(CommandError) {
        guard !allowsNetwork else { return }
        throw CommandError("NetworkNotAllowed", "`\(command)` uses the network, which a notebook or script run with run, replay or verify "
                           + "may not do unless run with --allow-network")
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

    /// True when every path is allowed (the REPL and `-c`).
    public var isUnrestricted: Bool { allowedRoots == nil }

    /// Checks every file directly inside `folder` (a model or adapter folder the policy allowed):
    /// each must, with its symbolic links resolved, still lie under an allowed root, and be a
    /// regular file or a folder, so a link inside an allowed folder cannot reach elsewhere and a
    /// FIFO cannot block a load. Nothing is checked when every path is allowed.
    public func checkContents(of folder: URL) throws(CommandError) {
        guard let roots = allowedRoots else { return }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let canonicalRoots = roots.map(Self.canonical)
        for name in names.sorted() {
            let url = folder.appendingPathComponent(name)
            let resolved = Self.canonical(url)
            guard canonicalRoots.contains(where: { Self.isInside(resolved, $0) }) else {
                throw CommandError("PathNotAllowed",
                                   "'\(url.path)' is a link to \(resolved.path), outside the notebook's folder (\(base.path)) and the cache; "
                                   + "a notebook may only use files there unless run with --allow-paths DIR")
            }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: resolved.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                do { _ = try RegularFile.size(of: resolved.path, limit: .max) } catch {
                    throw CommandError("FileError", "'\(url.path)' \(error.reason)")
                }
            }
        }
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
