import Essentials
import XCTest
@testable import Datasets

final class SplitTests: XCTestCase {
    func testRatiosAreValidated() {
        XCTAssertNoThrow(try SplitRatios(train: 0.9, validation: 0.1))
        XCTAssertNoThrow(try SplitRatios(train: 0.8, validation: 0.1, test: 0.1))
        XCTAssertThrowsError(try SplitRatios(train: 0.9, validation: 0.2)) { error in
            XCTAssertTrue("\(error)".contains("add up to 1"), "\(error)")
        }
        XCTAssertThrowsError(try SplitRatios(train: 0, validation: 1))
    }

    func testReproducibleAndComplete() throws {
        let dataset = try DatasetLoader.load(path: TestData.path("support.jsonl"))
        let splitter = DatasetSplitter(ratios: try SplitRatios(train: 0.8, validation: 0.1, test: 0.1), seed: 42)
        let first = try splitter.split(dataset)
        XCTAssertEqual(try splitter.split(dataset), first, "same seed, same split")
        XCTAssertEqual(first.validation.count, 42)
        XCTAssertEqual(first.test.count, 42)
        XCTAssertEqual((first.train + first.validation + first.test).sorted(), Array(0..<dataset.count))
        var other = splitter
        other.seed = 7
        XCTAssertNotEqual(try other.split(dataset).validation, first.validation)
        XCTAssertEqual(first.crossingDuplicates, 0)
        XCTAssertEqual(first.summary, "train 336, validation 42, test 42 (seed 42, no duplicate crosses parts)")
        // Pinned: the generator and shuffle are ours, so these never change under a user.
        XCTAssertEqual(Array(first.validation.prefix(5)), Self.pinnedValidationPrefix)
    }

    /// The first validation indices of support.jsonl at seed 42 (80/10/10).
    static let pinnedValidationPrefix = [6, 33, 36, 46, 58]

    func testStratifiedKeepsLabelProportions() throws {
        let dataset = try DatasetLoader.load(path: TestData.path("triage.jsonl"))
        let split = try DatasetSplitter(ratios: try SplitRatios(train: 0.9, validation: 0.1), seed: 1, stratify: true).split(dataset)
        XCTAssertTrue(split.stratified)
        XCTAssertEqual(split.labelCounts["validation"]?.count, 8)
        XCTAssertTrue(split.labelCounts["validation"]!.values.allSatisfy { $0 == 6 }, "\(split.labelCounts)")
        XCTAssertThrowsError(try DatasetSplitter(ratios: try SplitRatios(train: 0.9, validation: 0.1), stratify: true)
            .split(try DatasetLoader.load(path: TestData.path("support.jsonl"))))
    }

    func testDuplicatesStayInOnePart() throws {
        let dataset = try DatasetLoader.load(path: TestData.path("dirty.jsonl"), mode: .lenient)
        let ratios = try SplitRatios(train: 0.5, validation: 0.5)
        let duplicates = DuplicateFinder().find(in: dataset.examples)
        for seed in 0..<20 as Range<UInt64> {
            let split = try DatasetSplitter(ratios: ratios, seed: seed).split(dataset)
            XCTAssertEqual(split.crossingDuplicates, 0)
            let validation = Set(split.validation)
            for group in duplicates.exactGroups + duplicates.nearClusters {
                XCTAssertEqual(Set(group.map { validation.contains($0) }).count, 1, "group \(group) split at seed \(seed)")
            }
        }
        // Without the grouping, some seed splits a group, and the check says so.
        let loose = (0..<20 as Range<UInt64>).map { try! DatasetSplitter(ratios: ratios, seed: $0, keepDuplicatesTogether: false).split(dataset) }
        XCTAssertTrue(loose.contains { $0.crossingDuplicates > 0 })
    }

    func testSeededGeneratorIsFixed() {
        var generator = SplitMix64(seed: 0)
        XCTAssertEqual(generator.next(), 0xe220_a839_7b1d_cdaf)   // SplitMix64's published first output for seed 0
        var a = Array(0..<10), b = Array(0..<10)
        var g1 = SplitMix64(seed: 5), g2 = SplitMix64(seed: 5)
        g1.shuffle(&a); g2.shuffle(&b)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, Array(0..<10))
        for bound in [1, 2, 7, 1000] { XCTAssertLessThan(generator.next(below: bound), bound) }
    }
}
