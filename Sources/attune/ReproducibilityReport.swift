import Foundation
import TensorCore
import Training

/// `attune doctor --reproducibility`: runs `ReproducibilityCheck` and prints its fingerprint —
/// the exact bits of short tiny-model runs. In the reproducible numerics they are the same on every
/// machine, vector path and core count; the tests compare them with the committed values
/// (`Tests/AttuneRuntimeTests/Fixtures/reproducibility.json`).
enum ReproducibilityReport {
    static func run(json: Bool) -> Int32 {
        let runs: [ReproducibilityCheck.Run]
        do { runs = try ReproducibilityCheck.runAll() } catch {
            Terminal.err("attune doctor: reproducibility check failed: \(error)")
            return 1
        }
        if json {
            let report = Fingerprint(numerics: Numerics.mode.rawValue, kernelPath: Numerics.kernelPath,
                                     threads: Parallelism.workers, runs: runs)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: (try? encoder.encode(report)) ?? Data("{}".utf8), as: UTF8.self))
            return 0
        }
        print("Reproducibility fingerprint (numerics \(Numerics.mode.rawValue), \(Numerics.kernelPath) kernels, \(Parallelism.workers) threads)")
        for run in runs {
            let losses = run.losses.compactMap { UInt64($0, radix: 16).map(Double.init(bitPattern:)) }
            let detail = losses.isEmpty
                ? "tokens " + run.tokens.map(String.init).joined(separator: " ")
                : String(format: "loss %.9f → %.9f over %d steps, parameters %@", losses.first!, losses.last!, losses.count, run.parameterChecksum)
            print("  \(run.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(detail)")
        }
        return 0
    }

    /// The JSON form.
    struct Fingerprint: Codable {
        var numerics: String
        var kernelPath: String
        var threads: Int
        var runs: [ReproducibilityCheck.Run]

        enum CodingKeys: String, CodingKey {
            case numerics, threads, runs
            case kernelPath = "kernel_path"
        }
    }
}
