import Foundation
import XCTest
import Tokenization
@testable import Datasets

/// `data check` on `Notebooks/data/dirty.jsonl` finds every planted problem (the plants are
/// listed here and in `Notebooks/data/README.md`); the clean sets give no PII or duplicate hit.
final class DirtyDatasetTests: XCTestCase {
    static let badLines: [Int: DataIssueKind] = [
        58: .invalidJSON, 61: .invalidUTF8, 64: .notAnObject, 67: .missingKey, 70: .wrongType, 73: .unknownRole,
        76: .noAssistantTurn, 79: .endsWithoutAssistant, 82: .emptyContent, 85: .mixedFormat, 88: .wrongType,
    ]
    static let pii: [Int: PIIKind] = [
        22: .email, 25: .phone, 28: .creditCard, 31: .ssn, 34: .iban, 37: .ipv4, 40: .ipv6, 43: .apiKey, 46: .apiKey,
        49: .apiKey, 52: .highEntropySecret, 55: .urlWithCredentials,
    ]

    func loadDirty() throws -> Dataset {
        try DatasetLoader.load(path: TestData.path("dirty.jsonl"), mode: .lenient)
    }

    func checkDirty() throws -> DataCheckReport {
        let renderer = ExampleRenderer(tokenizer: ByteTokenizer(), options: RenderOptions(sequenceLength: 1024))
        return try DataChecker(goal: .style, renderer: renderer).check(try loadDirty())
    }

    func testBadLinesAreSkippedAndReported() throws {
        let dataset = try loadDirty()
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: dataset.skipped.map { ($0.location.line, $0.kind) }), Self.badLines)
        XCTAssertEqual(dataset.count, 114 - Self.badLines.count)
        XCTAssertThrowsError(try DatasetLoader.load(path: TestData.path("dirty.jsonl"))) { error in
            XCTAssertTrue("\(error)".hasPrefix("dirty.jsonl:58:"), "\(error)")
        }
    }

    func testDuplicates() throws {
        let report = try checkDirty()
        XCTAssertEqual(report.duplicates.exactGroups, [[1, 7], [2, 10], [3, 13]])
        XCTAssertEqual(report.duplicates.nearClusters, [[4, 16], [5, 19]])
        XCTAssertEqual(report.section("duplicates")?.status, .problem)
        XCTAssertEqual(report.section("duplicates")?.fix, "data dedup")
    }

    func testPII() throws {
        let report = try checkDirty()
        var found = [Int: Set<PIIKind>]()
        for finding in report.pii.findings { found[finding.line, default: []].insert(finding.kind) }
        XCTAssertEqual(found, Self.pii.mapValues { [$0] })
        XCTAssertEqual(report.section("pii")?.fix, "data redact")
        XCTAssertFalse(report.pii.findings.contains { $0.masked.contains("4111 1111") }, "the report masks what it found")
    }

    func testFormattingBalanceLengthsSignal() throws {
        let report = try checkDirty()
        let formatting = report.formatting
        XCTAssertEqual(formatting.systemPrompts.count, 2)
        XCTAssertEqual(formatting.systemPrompts[1].firstLine, 91)
        XCTAssertTrue(formatting.whitespaceLines.contains(94))
        XCTAssertTrue(formatting.schemas.contains { $0.firstLine == 97 && $0.value.hasPrefix("messages[content,role]") })
        XCTAssertEqual(formatting.labelSpellings.first?.map(\.value), ["billing", "Billing"])
        XCTAssertEqual(formatting.labelSpellings.first?[1].firstLine, 100)

        XCTAssertEqual(report.balance.source, .field)
        XCTAssertEqual(report.balance.counts.map(\.label), ["billing", "api", "login"])
        XCTAssertGreaterThan(report.balance.imbalanceRatio ?? 0, 10)
        XCTAssertEqual(report.section("balance")?.status, .warning)

        XCTAssertEqual(report.lengths.unit, "tokens")
        XCTAssertEqual(report.lengths.longest.first?.first, 106)
        XCTAssertEqual(report.lengths.overLimit, 1)
        XCTAssertEqual(report.signal.zeroTrainableLines, [103])
        XCTAssertEqual(report.signal.missingEndLines, [106])
        XCTAssertEqual(report.section("signal")?.status, .problem)
        XCTAssertEqual(report.size.verdict, "within")

        let table = report.table()
        XCTAssertTrue(table.contains("dirty.jsonl:7 exact copy of line 1"), table)
        XCTAssertTrue(table.contains("fix: data redact"), table)
    }

    func testReportIsCodable() throws {
        let report = try checkDirty()
        let data = try JSONEncoder().encode(report)
        let decoded = try JSONDecoder().decode(DataCheckReport.self, from: data)
        XCTAssertEqual(decoded, report)
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        XCTAssertNotNil((object["pii"] as? [String: Any])?["counts"] as? [String: Int], "counts encode as an object keyed by kind")
    }

    func testCleanSetsHaveNoPIIOrDuplicates() throws {
        for name in ["support.jsonl", "triage.jsonl", "triage_heldout.jsonl", "sentiment.jsonl"] {
            let dataset = try DatasetLoader.load(path: TestData.path(name))
            let report = try DataChecker().check(dataset)
            XCTAssertEqual(report.pii.total, 0, "\(name): \(report.pii.findings.prefix(3))")
            XCTAssertEqual(report.duplicates.exactCopies + report.duplicates.nearCopies, 0, name)
            XCTAssertEqual(report.section("formatting")?.status, .ok, "\(name): \(report.section("formatting")!.summary)")
        }
    }

    func testHeldOutTriageIsDisjointFromTraining() throws {
        let train = try DatasetLoader.load(path: TestData.path("triage.jsonl"))
        let heldout = try DatasetLoader.load(path: TestData.path("triage_heldout.jsonl"))
        XCTAssertGreaterThanOrEqual(heldout.count, 60)
        var both = train
        both.examples += heldout.examples
        let result = DuplicateFinder().find(in: both.examples)
        XCTAssertTrue(result.exactGroups.isEmpty && result.nearClusters.isEmpty)
        // Every output follows the README's schema.
        for example in train.examples + heldout.examples {
            guard case .instruction(_, _, let output) = example.content,
                  let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] else { return XCTFail() }
            XCTAssertEqual(Set(object.keys), ["category", "severity", "summary", "needs_human"])
            XCTAssertTrue(["billing", "login", "api", "export", "integration", "bug", "feature_request", "account"].contains(object["category"] as? String))
            XCTAssertTrue(["low", "medium", "high", "urgent"].contains(object["severity"] as? String))
            XCTAssertLessThanOrEqual((object["summary"] as? String)?.count ?? 999, 100)
            XCTAssertTrue(output.contains("\"needs_human\": true") || output.contains("\"needs_human\": false"))
        }
    }

    func testDedupWritesCopyBesideSource() throws {
        let directory = try TestData.temporaryDirectory(self)
        let source = directory.appendingPathComponent("dirty.jsonl").path
        try FileManager.default.copyItem(atPath: TestData.path("dirty.jsonl"), toPath: source)
        let before = try Data(contentsOf: URL(fileURLWithPath: source))
        let report = try CleanedCopy.dedup(try DatasetLoader.load(path: source, mode: .lenient))
        XCTAssertEqual(report.output, directory.appendingPathComponent("dirty.dedup.jsonl").path)
        XCTAssertEqual(report.removed, [[7, 1], [10, 2], [13, 3], [16, 4], [19, 5]])
        XCTAssertEqual(report.linesWritten, 114 - 5)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: source)), before, "the input is never modified")
        let cleaned = try DatasetLoader.load(path: report.output, mode: .lenient)
        XCTAssertEqual(cleaned.skipped.count, Self.badLines.count, "dedup removes duplicates only")
        let again = DuplicateFinder().find(in: cleaned.examples)
        XCTAssertTrue(again.exactGroups.isEmpty && again.nearClusters.isEmpty)
        XCTAssertTrue(report.summary.hasPrefix("wrote "), report.summary)
    }

    func testRedactWritesPlaceholders() throws {
        let directory = try TestData.temporaryDirectory(self)
        let source = directory.appendingPathComponent("dirty.jsonl").path
        try FileManager.default.copyItem(atPath: TestData.path("dirty.jsonl"), toPath: source)
        let report = try CleanedCopy.redact(source)
        XCTAssertEqual(report.output, directory.appendingPathComponent("dirty.redacted.jsonl").path)
        XCTAssertEqual(report.changedLines, Self.pii.keys.sorted())
        XCTAssertEqual(report.replacements.values.reduce(0, +), 12)
        XCTAssertEqual(report.copiedUnparsed, [58, 61], "invalid JSON and UTF-8 lines are copied as they were")
        let cleaned = try DatasetLoader.load(path: report.output, mode: .lenient)
        XCTAssertEqual(try DataChecker().check(cleaned).pii.total, 0)
        guard case .chat(let messages) = cleaned.examples.first(where: { $0.line == 22 })!.content else { return XCTFail() }
        XCTAssertEqual(messages[1].content, "Please send the invoice to [EMAIL] instead.")
        guard case .chat(let card) = cleaned.examples.first(where: { $0.line == 28 })!.content else { return XCTFail() }
        XCTAssertEqual(card[1].content, "Charge this card instead: [CREDIT_CARD], exp 09/29.")
        XCTAssertThrowsError(try CleanedCopy.redact(source, output: source), "never overwrites the input")
    }
}
