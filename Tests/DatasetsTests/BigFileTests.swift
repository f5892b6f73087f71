import Foundation
import XCTest
@testable import Datasets

/// Loads and checks the file named by `ATTUNE_BIG_JSONL` (made by `Scripts/gen-big-jsonl`, run by
/// `Scripts/data-bigcheck`), printing time and peak resident memory. Skipped when unset.
final class BigFileTests: XCTestCase {
    /// Peak resident set size of this process in MiB (`VmHWM` in /proc/self/status).
    static func peakMiB() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first { !$0.isEmpty }.map(String.init) ?? "")
        else { return nil }
        return kilobytes / 1024
    }

    func testLoadAndCheckBigFile() throws {
        guard let path = ProcessInfo.processInfo.environment["ATTUNE_BIG_JSONL"] else {
            throw XCTSkip("set ATTUNE_BIG_JSONL to a large JSONL file (Scripts/gen-big-jsonl)")
        }
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let start = Date()
        let dataset = try DatasetLoader.load(path: path, mode: .lenient)
        let loaded = Date()
        let afterLoad = Self.peakMiB() ?? 0
        let report = try DataChecker(goal: .behaviour).check(dataset)
        let checked = Date()
        let peak = Self.peakMiB() ?? 0
        print(String(format: "big file: %.1f MB, %d examples; load %.1f s (peak %.0f MiB); check %.1f s; peak RSS %.0f MiB",
                     Double(size) / 1_048_576, dataset.count, loaded.timeIntervalSince(start), afterLoad,
                     checked.timeIntervalSince(loaded), peak))
        print("big file: " + report.table().replacingOccurrences(of: "\n", with: "\nbig file: "))
        XCTAssertLessThan(peak, 1024, "peak memory must stay under 1 GiB")
        XCTAssertGreaterThan(report.duplicates.exactCopies, 0)
        XCTAssertGreaterThan(report.pii.counts[.email] ?? 0, 0)
    }
}
