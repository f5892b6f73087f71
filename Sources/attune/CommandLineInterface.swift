import AttuneRuntime
import Foundation

/// Parses the command line of DESIGN §3a and dispatches.
enum CommandLineInterface {
    static let usage = """
    usage: attune                      start the REPL
           attune run FILE             run a script (*.attune) or notebook (*.attune.md)
           attune -c 'STATEMENTS'      run statements (newline-separated)
           attune replay NB [-o OUT] [--param k=v]
           attune verify NB [--fix]
           attune export NB --to ipynb|html [-o OUT]
           attune doctor [--json]      BLAS core and speed, CPU features, versions
           attune fetch smollm2        download the built-in model into the cache
           attune bench [--json FILE]  GEMM and kernel timings (see Scripts/bench)
           attune --version
    """

    static func run(arguments: [String]) -> Int32 {
        guard let first = arguments.first else {
            print("Attune \(AttuneVersion.current) — fine-tuning language models on a CPU. Type `help` for commands.")
            print("The interactive shell is not built yet in this version; `attune doctor` checks the engine.")
            return 0
        }
        switch first {
        case "doctor":
            let json = arguments.contains("--json")
            let unknown = arguments.dropFirst().filter { $0 != "--json" }
            guard unknown.isEmpty else { return fail("doctor: unknown option \(unknown[0]) (did you mean --json?)") }
            let report = DoctorReport.measure()
            print(json ? report.jsonText() : report.text)
            return 0
        case "bench":
            return Benchmarks.run(arguments: Array(arguments.dropFirst()))
        case "--version", "version":
            print("attune \(AttuneVersion.current)")
            return 0
        case "--help", "-h", "help":
            print(usage)
            return 0
        case "run", "-c", "replay", "verify", "export", "fetch":
            return fail("attune \(first): not built yet in this version of Attune (see the open issues); `attune doctor` works.")
        default:
            return fail("unknown command '\(first)'\n\(usage)")
        }
    }

    static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data(("attune: " + message + "\n").utf8))
        return 2
    }
}
