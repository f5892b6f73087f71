import Essentials
import XCTest
@testable import Datasets

/// `data mix`: how many examples a share takes, which ones a seed picks, the mixture's sources,
/// the per-source split and the errors.
final class DataMixtureTests: XCTestCase {
    func testAddedCountMakesTheShareOfTheMixture() {
        // m = round(n·s/(1−s)): 480·0.15/0.85 = 84.71 → 85; 432·0.15/0.85 = 76.24 → 76;
        // 100·0.5/0.5 = 100; 20·0.1/0.9 = 2.22 → 2; 3·0.1/0.9 = 0.33 → 0; 9·0.1/0.9 = 1.
        XCTAssertEqual(DataMixture.addedCount(loaded: 480, share: 0.15), 85)
        XCTAssertEqual(DataMixture.addedCount(loaded: 432, share: 0.15), 76)
        XCTAssertEqual(DataMixture.addedCount(loaded: 100, share: 0.5), 100)
        XCTAssertEqual(DataMixture.addedCount(loaded: 20, share: 0.1), 2)
        XCTAssertEqual(DataMixture.addedCount(loaded: 3, share: 0.1), 0)
        XCTAssertEqual(DataMixture.addedCount(loaded: 9, share: 0.1), 1)
        // 85 of 565 = 15.04%.
        XCTAssertEqual(DataMixture.actualShare(loaded: 480, added: 85), 85.0 / 565.0, accuracy: 1e-12)
    }

    func testTheSeedPicksTheSameExamples() {
        let first = DataMixture.choose(10, of: 100, seed: 42)
        XCTAssertEqual(first.count, 10)
        XCTAssertEqual(Set(first).count, 10, "no example twice")
        XCTAssertEqual(first, first.sorted(), "kept in file order")
        XCTAssertTrue(first.allSatisfy { (0..<100).contains($0) })
        XCTAssertEqual(DataMixture.choose(10, of: 100, seed: 42), first, "same seed, same examples")
        XCTAssertNotEqual(DataMixture.choose(10, of: 100, seed: 7), first, "another seed, others")
        XCTAssertEqual(DataMixture.choose(5, of: 5, seed: 3), [0, 1, 2, 3, 4], "all of them when all are needed")
        // The first ten chosen at seed 42 are the first ten of the shuffle: a prefix of a larger draw.
        XCTAssertEqual(Set(DataMixture.choose(10, of: 100, seed: 42)).isSubset(of: Set(DataMixture.choose(20, of: 100, seed: 42))), true)
        // Pinned: the generator and shuffle are ours, so a seed picks these under every build.
        XCTAssertEqual(first, Self.pinnedChoice)
    }

    /// `choose(10, of: 100, seed: 42)`.
    static let pinnedChoice = [14, 18, 19, 22, 27, 52, 64, 65, 73, 91]

    func testTheMixtureKeepsTheLoadedExamplesAndNamesEachSource() throws {
        let loaded = try DatasetLoader.load(path: TestData.path("triage.jsonl"))
        let added = try DatasetLoader.load(path: TestData.path("general-mix.jsonl"))
        let mixture = try DataMixture.mix(loaded, with: added, share: 0.15, seed: 42)
        XCTAssertEqual(mixture.count, 480 + 85)
        XCTAssertEqual(mixture.sourceCount, 2)
        XCTAssertEqual(mixture.indices(ofSource: 0), Array(0..<480))
        XCTAssertEqual(mixture.indices(ofSource: 1).count, 85)
        XCTAssertEqual(Array(mixture.examples.prefix(480)), loaded.examples, "the loaded examples first, unchanged")
        let chosen = DataMixture.choose(85, of: added.count, seed: 42)
        XCTAssertEqual(mixture.examples[480...].map(\.line), chosen.map { added.examples[$0].line })
        XCTAssertEqual(mixture.examples[480].content, added.examples[chosen[0]].content)
        XCTAssertEqual(mixture.location(of: 480).description, "general-mix.jsonl:\(added.examples[chosen[0]].line)")
        XCTAssertEqual(mixture.location(of: 0).description, "triage.jsonl:1")
        XCTAssertEqual(mixture.schemas[mixture.examples[480].schema], added.schemas[added.examples[chosen[0]].schema])
        // Each source as a data set of its own file.
        let part = mixture.sourceSubset(1)
        XCTAssertEqual(part.fileName, "general-mix.jsonl")
        XCTAssertEqual(part.format, .chat)
        XCTAssertEqual(part.count, 85)
        // Mixing again replaces the first mixture.
        let again = try DataMixture.mix(mixture, with: added, share: 0.1, seed: 1)
        XCTAssertEqual(again.count, 480 + 53, "480·0.1/0.9 = 53.3 → 53")
        XCTAssertEqual(again.mixedPaths, [added.path])
    }

    func testBadSharesAndTooSmallSetsAreRefusedWithTheFix() throws {
        let loaded = try DatasetLoader.load(path: TestData.path("triage.jsonl"))
        let added = try DatasetLoader.load(path: TestData.path("general-mix.jsonl"))
        for share in [0.0, 1.0, -0.1, 1.5] {
            XCTAssertThrowsError(try DataMixture.mix(loaded, with: added, share: share, seed: 1)) { error in
                XCTAssertTrue("\(error)".contains("share must be more than 0% and less than 100%"), "\(error)")
            }
        }
        // 480·0.3/0.7 = 205.7 → 206 needed, 100 there.
        XCTAssertThrowsError(try DataMixture.mix(loaded, with: added, share: 0.3, seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("general-mix.jsonl has 100 examples, and share=30.0% of a mixture with 480 loaded examples needs 206: lower the share"), "\(error)")
        }
        let small = loaded.subset([0, 1, 2])
        XCTAssertThrowsError(try DataMixture.mix(small, with: added, share: 0.1, seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("rounds to no example of general-mix.jsonl: raise the share"), "\(error)")
        }
    }

    func testASplitPerSourceLeavesTheLoadedFilesPartsAsUnmixed() throws {
        let loaded = try DatasetLoader.load(path: TestData.path("triage.jsonl"))
        let added = try DatasetLoader.load(path: TestData.path("general-mix.jsonl"))
        let mixture = try DataMixture.mix(loaded, with: added, share: 0.15, seed: 42)
        let splitter = DatasetSplitter(ratios: try SplitRatios(train: 0.9, validation: 0.1), seed: 42)
        let (split, bySource) = try splitter.splitPerSource(mixture) { LabelExtraction.labels(for: $0.examples).source != .none }
        var stratified = splitter
        stratified.stratify = true
        let unmixed = try stratified.split(loaded)
        // The loaded file's parts are exactly the unmixed split's (same indices: it comes first).
        XCTAssertEqual(split.validation.filter { $0 < 480 }, unmixed.validation.sorted())
        XCTAssertEqual(split.train.filter { $0 < 480 }, unmixed.train.sorted())
        XCTAssertEqual(bySource.count, 2)
        XCTAssertTrue(bySource[0].stratified, "triage has labels")
        XCTAssertFalse(bySource[1].stratified, "the general instructions have none")
        // The mixed-in file is split 90/10 on its own: 85 → about 76 + 9, every example once.
        let mixedTrain = split.train.filter { $0 >= 480 }.count, mixedValidation = split.validation.filter { $0 >= 480 }.count
        XCTAssertEqual(mixedTrain + mixedValidation, 85)
        XCTAssertEqual(mixedValidation, bySource[1].validation.count)
        XCTAssertTrue((8...9).contains(mixedValidation), "\(mixedValidation)")
        XCTAssertEqual((split.train + split.validation).sorted(), Array(0..<565))
        XCTAssertEqual(split.labelCounts["validation"]?.values.reduce(0, +), 48)
    }
}
