import Foundation
import XCTest
@testable import Datasets

/// US social security numbers in `data check` (the invalid ranges left out, no false alarm on the
/// shipped data sets), and the tag coverage row.
final class SSNAndTagCoverageTests: XCTestCase {
    let scanner = PIIScanner()

    static let dataFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Notebooks/data")

    func testSSNsAndTheRangesThatAreNeverIssued() {
        for valid in ["536-22-8471", "001-01-0001", "899-99-9999", "665-12-3456"] {
            XCTAssertEqual(scanner.scan("SSN \(valid) on file").map(\.kind), [.ssn], valid)
        }
        // Area 000, 666 or 900-999; group 00; serial 0000; the published sample numbers; other layouts.
        for invalid in ["000-12-3456", "666-12-3456", "900-12-3456", "987-65-4321", "536-00-8471", "536-22-0000",
                        "123-45-6789", "078-05-1120", "536 22 8471", "5362-2-8471", "536-22-84712"] {
            XCTAssertFalse(scanner.scan("number \(invalid) here").map(\.kind).contains(.ssn), invalid)
        }
    }

    /// Every shipped data set but the planted one (`dirty.jsonl`) is free of SSN hits, and of any
    /// personal data the data doctor reports.
    func testShippedDataSetsRaiseNoFalseAlarm() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.dataFolder.path)
            // dirty.jsonl plants personal data; its cleaned copies (dirty.dedup.jsonl, … written by
            // the data-doctor notebook, git-ignored) keep its cut line.
            .filter { $0.hasSuffix(".jsonl") && !$0.hasPrefix("dirty.") }.sorted()
        XCTAssertTrue(files.contains("triage_edge.jsonl") && files.contains("sentiment_heldout.jsonl"), "\(files)")
        for file in files {
            let dataset = try DatasetLoader.load(path: Self.dataFolder.appendingPathComponent(file).path)
            let report = PIIReport(dataset: dataset)
            XCTAssertEqual(report.counts[.ssn] ?? 0, 0, file)
            XCTAssertEqual(report.examplesAffected, 0, "\(file): \(report.findings)")
        }
        let dirty = try DatasetLoader.load(path: Self.dataFolder.appendingPathComponent("dirty.jsonl").path, mode: .lenient)
        XCTAssertEqual(PIIReport(dataset: dirty).counts[.ssn], 1, "the planted SSN is still found")
    }

    func testTagCoverageOfTheEdgeSuite() throws {
        let edge = try DatasetLoader.load(path: Self.dataFolder.appendingPathComponent("triage_edge.jsonl").path)
        XCTAssertEqual(edge.examples.first?.tags, ["edge", "empty"])
        let report = try DataChecker().check(edge)
        let coverage = try XCTUnwrap(report.tags)
        XCTAssertEqual(coverage.counts.map(\.tag), ["edge", "empty", "two-problems", "non-english", "long", "injection", "unknown-product"])
        XCTAssertEqual(coverage.counts.map(\.examples), [12, 2, 2, 2, 2, 2, 2])
        XCTAssertEqual(coverage.untagged, 0)
        XCTAssertEqual(report.section("tags")?.summary,
                       "7 tags on 12 of 12 examples: edge 12, empty 2, two-problems 2, non-english 2, long 2, injection 2, unknown-product 2")
        // No tags, no row (recorded notebooks keep their tables).
        let triage = try DatasetLoader.load(path: Self.dataFolder.appendingPathComponent("triage_heldout.jsonl").path)
        XCTAssertNil(try DataChecker().check(triage).section("tags"))
    }
}
