import ArgumentParser
import Essentials
import AttuneLanguage
import AttuneRuntime
import Foundation
import TensorCore

/// The command line of DESIGN §3a, declared with swift-argument-parser so that `--help`, usage
/// errors and the shell completion scripts all come from these declarations.
///
/// Exit status: 0 success, 1 a command (or a verification) failed, 2 a usage error (the library's
/// default is 64; scripts written against 2 keep working), 130 interrupted.
struct Attune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attune",
        abstract: "A notebook-style REPL for fine-tuning language models on a CPU.",
        discussion: """
        With no command, starts the REPL and records every statement to a new notebook; with -c, \
        runs the statements (newline-separated, like python -c) instead.

        In run, replay and verify, commands read and write files only under the file's folder and \
        the cache ($ATTUNE_CACHE, default ~/.cache/attune) unless --allow-paths names more folders.

        Numerics: sessions start in $ATTUNE_NUMERICS (reproducible, the default, or fast); run, \
        replay and verify take a notebook's recorded mode (fast when it does not say); replay and \
        verify --numerics choose another.

        Shell completion: attune --generate-completion-script bash|zsh|fish (see the README).

        Exit status:
          0    success
          1    a command failed (a statement, a cell, a verification, a fetch)
          2    a usage error (unknown command or option, missing or invalid value)
          130  interrupted (Ctrl-C outside the REPL)
        """,
        version: "attune \(AttuneVersion.current)",
        subcommands: [REPLCommand.self, Run.self, Open.self, Replay.self, Verify.self, Export.self, Doctor.self, Fetch.self, Bench.self, Serve.self, Version.self],
        defaultSubcommand: REPLCommand.self)
}

/// `attune [repl] [--notebook PATH | --no-notebook] [--seed N]` and `attune -c 'STATEMENTS'`: the
/// default subcommand (options on the root itself would also capture `run`'s `--notebook` and
/// `--seed`).
struct REPLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Start the REPL (the default), or run statements with -c.")

    @Option(name: .customShort("c"), parsing: .unconditional,
            help: ArgumentHelp("Run these statements (newline-separated) instead of starting the REPL.", valueName: "statements"))
    var statements: String?

    @Option(help: ArgumentHelp("Record to this notebook (REPL: instead of a new file; -c: none by default).", valueName: "path"),
            completion: .file(extensions: ["md"]))
    var notebook: String?

    @Flag(help: "Start the REPL without recording a notebook.")
    var noNotebook = false

    @Flag(help: "With -c: run the statements after one that fails (the exit status is still 1).")
    var keepGoing = false

    @OptionGroup var seed: SeedOption

    func validate() throws {
        if statements != nil, noNotebook { throw ValidationError("--no-notebook is for the REPL; -c records only with --notebook") }
        if statements == nil, keepGoing { throw ValidationError("--keep-going goes with -c 'STATEMENTS' (or run FILE)") }
        if notebook != nil, noNotebook { throw ValidationError("give either --notebook PATH or --no-notebook") }
    }

    func run() throws {
        if let statements {
            let session = Session(seed: seed.value ?? Session.defaultSeed)
            try exitIfFailed(ScriptCommands.runScript(statements, label: "-c", session: session, keepGoing: keepGoing, notebook: notebook))
        } else {
            try exitIfFailed(REPL.main(notebook: notebook, noNotebook: noNotebook, seed: seed.value))
        }
    }
}

/// `attune version` (as `attune --version`).
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.", shouldDisplay: false)
    func run() { print("attune \(AttuneVersion.current)") }
}

/// `attune doctor [--json] [--reproducibility]`.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Numerics mode, both GEMMs' speed, BLAS core, CPU features, versions.",
        discussion: "--json has blas.core, blas.threads, sgemm_gflops (keyed \"MxKxN\"), cpu.avx512 and cpu.amx.")

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Flag(help: "The reproducible-numerics fingerprint instead: short tiny-model runs' exact bits.")
    var reproducibility = false

    func run() throws {
        if reproducibility { return try exitIfFailed(ReproducibilityReport.run(json: json)) }
        let report = DoctorReport.measure()
        print(json ? report.jsonText() : report.text)
    }
}

/// Ends a command with `status` when it is not 0 (the failure was already reported).
func exitIfFailed(_ status: Int32) throws {
    if status != 0 { throw ExitCode(status) }
}

/// `--seed N`, shared by the REPL, -c and run.
struct SeedOption: ParsableArguments {
    @Option(name: .customLong("seed"), help: ArgumentHelp("The session's seed (0 to 2^53-1).", valueName: "n"))
    var text: String?

    var value: UInt64? { text.flatMap(UInt64.init) }

    func validate() throws {
        guard let text else { return }
        guard let seed = UInt64(text), seed <= 9_007_199_254_740_991 else {
            throw ValidationError("--seed needs a whole number from 0 to 2^53-1, got \(text)")
        }
    }
}

/// `--allow-paths DIR[,DIR]` (may repeat) and `--allow-network`, for run, replay, verify and open.
struct AllowedPathsOption: ParsableArguments {
    @Flag(name: .customLong("allow-network"),
          help: "Let the notebook's commands use the network (serve start); without it they are refused.")
    var network = false

    @Option(name: .customLong("allow-paths"),
            help: ArgumentHelp("More folders that commands may read and write (comma-separated; may repeat).", valueName: "dir[,dir]"),
            completion: .directory)
    var folders: [String] = []

    /// Every folder, absolute.
    var urls: [URL] {
        folders.flatMap { $0.split(separator: ",").map(String.init) }.map { path in
            URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
        }
    }
}

/// `--numerics reproducible|fast|bf16` for replay and verify.
struct NumericsOption: ParsableArguments {
    @Option(name: .customLong("numerics"),
            help: ArgumentHelp("Replay in this numerics mode instead of the notebook's.", valueName: "reproducible|fast|bf16"),
            completion: .list(NumericsMode.allCases.map(\.rawValue)))
    var text: String?

    var mode: NumericsMode? { text.flatMap { NumericsMode(rawValue: $0.lowercased()) } }

    func validate() throws {
        guard let text, mode == nil else { return }
        let modes = NumericsMode.allCases.map(\.rawValue)
        let hint = suggest(text.lowercased(), from: modes).map { " — did you mean \($0)?" } ?? ""
        throw ValidationError("--numerics must be \(ArgumentKind.sentenceList(modes)), got '\(text)'\(hint)")
    }
}

/// Parses, runs and maps outcomes to the exit status.
enum CommandLineInterface {
    /// The environment variable that makes the binary parse its arguments, print what it parsed
    /// and exit 0 without running anything (the tests check documented invocations with it).
    static let parseOnlyVariable = "ATTUNE_PARSE_ONLY"

    static func main(arguments: [String]) -> Int32 {
        if let warning = numericsEnvironmentWarning() { Terminal.err(warning) }
        if let first = arguments.first, !first.hasPrefix("-"), !commandNames.contains(first) {
            let hint = suggest(first, from: commandNames.filter { $0 != "version" }).map { " — did you mean '\($0)'?" } ?? ""
            Terminal.err("Error: unknown command '\(first)'\(hint)\n" + "Usage: " + Attune.usageString()
                         + "\n  See 'attune --help' for more information.")
            return 2
        }
        let command: ParsableCommand
        do {
            command = try Attune.parseAsRoot(arguments)
        } catch {
            return report(error, command: nil)
        }
        if ProcessInfo.processInfo.environment[parseOnlyVariable] == "1" {
            print(String(reflecting: command))
            return 0
        }
        // Outside the REPL (which installs its own handler), Ctrl-C ends the process with 130;
        // recorded notebook cells are already on disk.
        signal(SIGINT) { _ in _exit(130) }
        do {
            var command = command
            try command.run()
            return 0
        } catch {
            return report(error, command: type(of: command))
        }
    }

    /// The subcommand names (and `help`, which the library adds).
    static var commandNames: [String] {
        Attune.configuration.subcommands.map { $0._commandName } + ["help"]
    }

    /// Prints the message for `error` (help and completion scripts on standard output) and returns
    /// the exit status: the library's usage-error code becomes 2.
    static func report(_ error: Error, command: ParsableCommand.Type?) -> Int32 {
        let code = Attune.exitCode(for: error)
        if let validation = error as? ValidationError, let command {
            // A usage problem found while running: show the running command's usage.
            let name = (["attune"] + (commandPath(to: command) ?? [])).joined(separator: " ")
            Terminal.err("Error: \(validation.message)\nUsage: \(Attune.usageString(for: command))\n  See '\(name) --help' for more information.")
            return 2
        }
        let message = Attune.fullMessage(for: error)
        if code == .success {
            if !message.isEmpty { print(message) }
            return 0
        }
        if !message.isEmpty { Terminal.err(message) }
        return code == .validationFailure ? 2 : code.rawValue
    }

    /// The subcommand names leading from `attune` to `command` (empty for `attune` itself).
    static func commandPath(to command: ParsableCommand.Type, from root: ParsableCommand.Type = Attune.self) -> [String]? {
        if command == root { return [] }
        for sub in root.configuration.subcommands {
            if let path = commandPath(to: command, from: sub) { return [sub._commandName] + path }
        }
        return nil
    }

    /// The warning for an `ATTUNE_NUMERICS` that names no mode (the process then runs reproducible).
    static func numericsEnvironmentWarning() -> String? {
        guard let value = Numerics.invalidEnvironmentValue else { return nil }
        let modes = NumericsMode.allCases.map(\.rawValue)
        let hint = suggest(value.lowercased(), from: modes).map { " (did you mean \($0)?)" } ?? ""
        return "attune: warning: \(Numerics.environmentVariable)='\(value)' is not a numerics mode\(hint); valid values are "
            + modes.dropLast().joined(separator: ", ") + " and " + modes.last! + "; running in \(Numerics.initialMode.rawValue) numerics"
    }
}
