import Essentials
import AttuneLanguage
import AttuneRuntime
import Models
import Foundation
import TensorCore

/// Parses the command line of DESIGN §3a and dispatches. Exit status: 0 ok, 1 a command or
/// verification failed, 2 a usage error.
enum CommandLineInterface {
    static let usage = """
    usage: attune [--notebook PATH | --no-notebook] [--seed N]
                                       start the REPL, recording to a new notebook
           attune run FILE [--notebook OUT] [--keep-going] [--allow-paths DIR[,DIR]] [--seed N]
                                       run a script (*.attune) or notebook (*.attune.md)
           attune -c 'STATEMENTS' [--notebook OUT] [--keep-going] [--seed N]
                                       run statements (newline-separated)
           attune replay NB [-o OUT] [--param k=v]… [--allow-paths DIR[,DIR]] [--numerics reproducible|fast]
           attune verify NB [--fix] [--allow-paths DIR[,DIR]] [--numerics reproducible|fast]
           attune export NB --to ipynb|html [-o OUT]
           attune doctor [--json]      numerics mode, both GEMMs' speed, BLAS core, CPU features, versions
           attune doctor --reproducibility [--json]
                                       the reproducible-numerics fingerprint: short tiny-model runs' exact bits
           attune fetch smollm2        download the built-in model into the cache
           attune bench [--json FILE]  GEMM and kernel timings (see Scripts/bench)
           attune bench train lora-qv|lora-all|qlora|full [--steps N] [--data FILE] [--checkpointing]
           attune bench inference [--prompt N] [--decode N] [--repeats N]  SmolLM2 prefill and decode speed
           attune --version
    In run, replay and verify, commands read and write files only under the file's folder and the
    cache ($ATTUNE_CACHE, default ~/.cache/attune) unless --allow-paths names more folders.
    Numerics: sessions start in $ATTUNE_NUMERICS (reproducible, the default, or fast); run, replay
    and verify take a notebook's recorded mode (fast when it does not say); replay and verify
    --numerics choose another.
    """

    static func run(arguments: [String]) -> Int32 {
        if let warning = numericsEnvironmentWarning() { Terminal.err(warning) }
        do {
            return try dispatch(arguments)
        } catch {
            return fail(error.message)
        }
    }

    static func dispatch(_ arguments: [String]) throws(UsageError) -> Int32 {
        guard let first = arguments.first else { return try REPL.main([]) }
        let rest = Array(arguments.dropFirst())
        switch first {
        case "run": return try ScriptCommands.run(rest)
        case "-c": return try ScriptCommands.inline(rest)
        case "replay": return try NotebookCommands.replay(rest)
        case "verify": return try NotebookCommands.verify(rest)
        case "export": return try NotebookCommands.export(rest)
        case "fetch": return fetch(rest)
        case "doctor":
            let options = try CommandLineOptions.parse(rest, command: "doctor", flags: ["--json", "--reproducibility"], valued: [])
            guard options.positionals.isEmpty else { throw UsageError("doctor: unexpected argument \(options.positionals[0])") }
            if options.has("--reproducibility") { return ReproducibilityReport.run(json: options.has("--json")) }
            let report = DoctorReport.measure()
            print(options.has("--json") ? report.jsonText() : report.text)
            return 0
        case "bench":
            return Benchmarks.run(arguments: rest)
        case "--version", "version":
            print("attune \(AttuneVersion.current)")
            return 0
        case "--help", "-h", "help":
            print(usage)
            return 0
        default:
            if first.hasPrefix("-") { return try REPL.main(arguments) }
            throw UsageError("unknown command '\(first)'" + (REPL.suggestCommand(first).map { " — did you mean '\($0)'?" } ?? "") + "\n" + usage)
        }
    }

    /// The warning for an `ATTUNE_NUMERICS` that names no mode (the process then runs reproducible).
    static func numericsEnvironmentWarning() -> String? {
        guard let value = Numerics.invalidEnvironmentValue else { return nil }
        let modes = NumericsMode.allCases.map(\.rawValue)
        let hint = suggest(value.lowercased(), from: modes).map { " (did you mean \($0)?)" } ?? ""
        return "attune: warning: \(Numerics.environmentVariable)='\(value)' is not a numerics mode\(hint); valid values are "
            + modes.joined(separator: " and ") + "; running in \(Numerics.initialMode.rawValue) numerics"
    }

    /// `attune fetch NAME`: downloads a built-in model into the cache (reused afterwards) and
    /// prints its path.
    static func fetch(_ arguments: [String]) -> Int32 {
        guard arguments.count == 1 else { return fail("fetch: give a model name: attune fetch smollm2") }
        guard let model = BuiltInModel(rawValue: arguments[0].lowercased()) else {
            return fail("fetch: unknown model '\(arguments[0])'; built-in models: \(ModelSource.builtInNames.joined(separator: ", "))")
        }
        do {
            let url = try ModelCache.default.fetch(model) { Terminal.err("fetch: \($0)") }
            print(url.path)
            return 0
        } catch {
            Terminal.err("attune fetch \(arguments[0]): \(error)")
            return 1
        }
    }

    static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data(("attune: " + message + "\n").utf8))
        return 2
    }
}
