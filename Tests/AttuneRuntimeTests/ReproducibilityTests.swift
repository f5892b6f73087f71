import Foundation
import TensorCore
import XCTest

/// The reproducible numerics' promise, checked through the binary: the 10-step tiny-model runs
/// and greedy tokens of `attune doctor --reproducibility` give exactly the committed bits
/// (`Fixtures/reproducibility.json`) at 1, 2, 3 and 5 worker threads and on every kernel path this
/// CPU has. Whatever machine runs CI thereby checks that it computes what the recording machine
/// computed. After an intended change of the numerics, regenerate the fixture with
/// `.build/release/attune doctor --reproducibility --json > Tests/AttuneRuntimeTests/Fixtures/reproducibility.json`
/// and say why in the commit.
final class ReproducibilityTests: XCTestCase {
    struct Fingerprint: Decodable {
        struct Run: Decodable, Equatable {
            var name: String
            var losses: [String]
            var parameter_checksum: String
            var tokens: [Int]
        }
        var kernel_path: String
        var threads: Int
        var runs: [Run]
    }

    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/reproducibility.json")

    func fingerprint(environment: [String: String]) throws -> Fingerprint {
        guard let binary = attuneBinary() else {
            if ProcessInfo.processInfo.environment["ATTUNE_REQUIRE_FIXTURES"] == "1" {
                XCTFail("the attune executable is not built next to the tests")
            }
            throw XCTSkip("the attune executable is not built next to the tests")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["doctor", "--reproducibility", "--json"]
        var env = ProcessInfo.processInfo.environment
        env["ATTUNE_BLAS_REEXEC"] = "1"
        env["ATTUNE_NUMERICS"] = "reproducible"
        for key in ["ATTUNE_THREADS", "ATTUNE_KERNEL_PATH", "ATTUNE_PORTABLE_KERNELS"] { env[key] = nil }
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "attune doctor --reproducibility with \(environment)")
        return try JSONDecoder().decode(Fingerprint.self, from: data)
    }

    func testEveryThreadCountAndKernelPathGivesTheCommittedBits() throws {
        let expected = try JSONDecoder().decode(Fingerprint.self, from: Data(contentsOf: Self.fixture))
        XCTAssertEqual(expected.runs.map(\.name), ["lora", "full", "qlora-nf4", "lora-q4_1", "greedy-q4_1", "lora-packed"])
        var settings: [[String: String]] = [["ATTUNE_THREADS": "1"], ["ATTUNE_THREADS": "2"], ["ATTUNE_THREADS": "3"],
                                            ["ATTUNE_THREADS": "5"], ["ATTUNE_KERNEL_PATH": "portable", "ATTUNE_THREADS": "2"]]
        if Numerics.KernelPath.best == .avx512 { settings.append(["ATTUNE_KERNEL_PATH": "avx2", "ATTUNE_THREADS": "2"]) }
        for environment in settings {
            let got = try fingerprint(environment: environment)
            for (run, want) in zip(got.runs, expected.runs) {
                XCTAssertEqual(run, want, """
                    \(run.name) with \(environment) (\(got.kernel_path) kernels, \(got.threads) threads) differs from the bits \
                    recorded with \(expected.kernel_path) kernels and \(expected.threads) threads
                    """)
            }
            XCTAssertEqual(got.runs.count, expected.runs.count)
        }
    }
}
