import AttuneNotebook
@testable import AttuneRuntime
import Datasets
import Foundation
import XCTest

/// The `data` commands on the shipped example data (`Notebooks/data`), copied into a temporary
/// folder so dedup and redact write their copies there.
final class DataCommandTests: XCTestCase {
    /// `Notebooks/data` of the repository.
    static let shippedData = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Notebooks/data")

    /// A temporary folder holding `data/*.jsonl` (the shipped files) and an interpreter whose
    /// relative paths start there.
    func makeDataInterpreter(tiny: Bool = false, seed: UInt64 = 42) throws -> (Interpreter, URL) {
        let root = temporaryFolder()
        let data = root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for name in ["support", "triage", "sentiment", "dirty"] {
            try FileManager.default.copyItem(at: Self.shippedData.appendingPathComponent("\(name).jsonl"),
                                             to: data.appendingPathComponent("\(name).jsonl"))
        }
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        return (makeInterpreter(tiny: tiny, seed: seed, paths: .confined(to: root)), root)
    }

    func write(_ text: String, to name: String, in root: URL) throws {
        try Data(text.utf8).write(to: root.appendingPathComponent(name))
    }

    // MARK: data load

    func testLoadDetectsEachShippedFormat() throws {
        let (interpreter, root) = try makeDataInterpreter()
        XCTAssertEqual(ok(interpreter, "data load \"data/support.jsonl\""), "data/support.jsonl: 420 examples (chat, detected) · sha256 f34647ade4a2")
        XCTAssertEqual(interpreter.session.dataset?.count, 420)
        XCTAssertEqual(interpreter.session.dataPath?.lastPathComponent, "support.jsonl")
        XCTAssertEqual(interpreter.session.dataPath?.path, PathPolicy.canonical(root.appendingPathComponent("data/support.jsonl")).path)
        XCTAssertTrue(ok(interpreter, "data load \"data/triage.jsonl\"").hasPrefix("data/triage.jsonl: 480 examples (instruction, detected)"))
        XCTAssertTrue(ok(interpreter, "data load \"data/sentiment.jsonl\"").hasPrefix("data/sentiment.jsonl: 60 examples (completion, detected)"))
        XCTAssertTrue(ok(interpreter, "data load \"data/triage.jsonl\" format=instruction").hasPrefix("data/triage.jsonl: 480 examples (instruction) · sha256 "))
        XCTAssertEqual(interpreter.session.dataset?.format, .instruction)
    }

    func testStrictLoadStopsAtTheFirstBadLineWithItsPlaceAndChangesNothing() throws {
        let (interpreter, _) = try makeDataInterpreter()
        ok(interpreter, "data load \"data/support.jsonl\"")
        let error = failure(interpreter, "data load \"data/dirty.jsonl\"")
        XCTAssertEqual(error.name, "InvalidData")
        XCTAssertEqual(error.message, """
            line 1, column 11: dirty.jsonl:58:119: invalid JSON: the line ends inside an object; expected ',' or '}' (is the line cut short?)
            stopped at the first invalid line (strict mode); fix it, or load with mode=lenient to skip and list every bad line
            """)
        XCTAssertEqual(interpreter.session.dataset?.fileName, "support.jsonl", "a failed load keeps the data loaded before")
        XCTAssertEqual(interpreter.session.dataPath?.lastPathComponent, "support.jsonl")
    }

    func testLenientLoadListsEverySkippedLine() throws {
        let (interpreter, _) = try makeDataInterpreter()
        let text = ok(interpreter, "data load \"data/dirty.jsonl\" mode=lenient")
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("data/dirty.jsonl: 103 examples (chat, detected) · sha256 "), lines[0])
        XCTAssertEqual(lines[1], "11 invalid lines skipped (mode=lenient): 1 empty-content, 1 ends-without-assistant, 1 invalid-json, 1 invalid-utf8, "
                       + "1 missing-key, 1 mixed-format, 1 no-assistant-turn, 1 not-an-object, 1 unknown-role, 2 wrong-type")
        XCTAssertEqual(lines.count, 13)
        XCTAssertEqual(lines.dropFirst(2).map { $0.split(separator: ":")[1] }, stride(from: 58, through: 88, by: 3).map { Substring(String($0)) })
        XCTAssertTrue(text.contains("  dirty.jsonl:67:2: unknown key 'mesages'; did you mean 'messages'?"), text)
        XCTAssertEqual(interpreter.session.dataset?.count, 103)
        XCTAssertEqual(interpreter.session.dataset?.skipped.count, 11)
    }

    func testMalformedJSONLStrictVersusLenient() throws {
        let (interpreter, root) = try makeDataInterpreter()
        try write("""
            {"text": "one"}
            {"text": "two
            {"text": "three"}

            """, to: "notes.jsonl", in: root)
        let error = failure(interpreter, "data load \"notes.jsonl\"")
        XCTAssertEqual(error.name, "InvalidData")
        XCTAssertTrue(error.message.hasPrefix("line 1, column 11: notes.jsonl:2:"), error.message)
        XCTAssertTrue(error.message.contains("load with mode=lenient"), error.message)
        XCTAssertNil(interpreter.session.dataset)
        let text = ok(interpreter, "data load \"notes.jsonl\" mode=lenient")
        XCTAssertTrue(text.hasPrefix("notes.jsonl: 2 examples (text, detected) · sha256 "), text)
        XCTAssertTrue(text.contains("\n1 invalid line skipped (mode=lenient): 1 invalid-json\n  notes.jsonl:2:"), text)
        XCTAssertEqual(interpreter.session.dataset?.examples.map(\.line), [1, 3])
    }

    func testLoadErrorsNameThePlaceAndTheFix() throws {
        let (interpreter, root) = try makeDataInterpreter()
        let missing = failure(interpreter, "data load \"data/missing.jsonl\"")
        XCTAssertEqual(missing.name, "NotFound")
        XCTAssertEqual(missing.message, "line 1, column 11: no such file: data/missing.jsonl; check the name (relative paths start at the notebook's folder, or the current directory in the REPL)")
        XCTAssertEqual(failure(interpreter, "data load \"data\"").message, "line 1, column 11: data is a folder; data load takes a JSONL file")
        try write("", to: "empty.jsonl", in: root)
        XCTAssertEqual(failure(interpreter, "data load \"empty.jsonl\"").message,
                       "line 1, column 11: empty.jsonl: the file has no examples; a JSONL file holds one JSON object per line")
        try write("[1]\n{\"a\": 2}\n", to: "bad.jsonl", in: root)
        XCTAssertEqual(failure(interpreter, "data load \"bad.jsonl\" mode=lenient").message,
                       "line 1, column 11: bad.jsonl: no valid examples (2 invalid lines skipped); load it with mode=strict to see the first error")
        XCTAssertTrue(failure(interpreter, "data load \"data/support.jsonl\" format=text").message
            .hasPrefix("line 1, column 11: support.jsonl:1:2: the line is in chat format but the file is text (as named)"))
        XCTAssertEqual(failure(interpreter, "data load \"../secret.jsonl\"").name, "PathNotAllowed")
        XCTAssertNil(interpreter.session.dataset)
    }

    func testLoadDropsTheSplit() throws {
        let (interpreter, _) = try makeDataInterpreter()
        ok(interpreter, "data load \"data/support.jsonl\"")
        ok(interpreter, "data split train=0.9 val=0.1")
        XCTAssertNotNil(interpreter.session.split)
        ok(interpreter, "data load \"data/triage.jsonl\"")
        XCTAssertNil(interpreter.session.split)
        XCTAssertNil(interpreter.session.training)
    }

    func testNewDataOrANewSplitEndsTheTrainingRun() throws {
        let (interpreter, _) = try makeDataInterpreter(tiny: true)
        ok(interpreter, "data load \"data/sentiment.jsonl\"")
        ok(interpreter, "data split train=0.8 val=0.2")
        ok(interpreter, "method lora r=2")
        ok(interpreter, "set batch=2 seq=128")
        ok(interpreter, "train steps=1")
        XCTAssertEqual(interpreter.session.training?.trainer.step, 1)
        ok(interpreter, "data split train=0.9 val=0.1")
        XCTAssertNil(interpreter.session.training, "a new split ends the run")
        ok(interpreter, "train steps=1")
        XCTAssertEqual(interpreter.session.training?.trainer.step, 1, "the next train starts over")
        ok(interpreter, "data load \"data/sentiment.jsonl\"")
        XCTAssertNil(interpreter.session.training, "new data ends the run")
        XCTAssertNil(interpreter.session.split)
    }

    // MARK: data check

    func testCheckWithoutAModelCountsCharacters() throws {
        let (interpreter, _) = try makeDataInterpreter()
        XCTAssertEqual(failure(interpreter, "data check").message,
                       "line 1, column 1: `data check` needs data: load a JSONL file first with `data load \"PATH\"`")
        ok(interpreter, "data load \"data/dirty.jsonl\" mode=lenient")
        let text = ok(interpreter, "data check")
        XCTAssertTrue(text.hasPrefix("data check: dirty.jsonl, 103 chat examples, goal task, 11 invalid lines skipped at load\n"), text)
        XCTAssertTrue(text.contains("  duplicates  FIX    5      3 exact copies in 3 groups, 2 near-duplicates in 2 clusters"), text)
        XCTAssertTrue(text.contains("  pii         FIX    12     12 matches"), text)
        XCTAssertTrue(text.contains("characters: p50 487, p90 615, p99 760, max 1979 (load a model to count tokens)"), text)
        XCTAssertTrue(text.contains("    dirty.jsonl:7 exact copy of line 1"), text)
        XCTAssertTrue(text.contains("size        warn   103    103 examples, below 500-2,000 for task"), text)
        XCTAssertTrue(ok(interpreter, "data check goal=style").contains("103 examples, within 100-500 for style"))
    }

    func testCheckWithTheTinyModelCountsTokensAgainstSeq() throws {
        let (interpreter, _) = try makeDataInterpreter(tiny: true)
        ok(interpreter, "data load \"data/dirty.jsonl\" mode=lenient")
        let short = ok(interpreter, "data check")
        XCTAssertTrue(short.contains("tokens: p50 521, p90 648, p99 816, max 2010; 102 over seq 256"), short)
        XCTAssertTrue(short.contains("100 with nothing to train on"), short)
        ok(interpreter, "set seq=1024")
        let long = ok(interpreter, "data check")
        XCTAssertTrue(long.contains("1 over seq 1024"), long)
        XCTAssertTrue(long.contains("signal      FIX    2      1 with nothing to train on, 1 lose an end-of-turn token to truncation, 22,240 trained tokens"), long)
    }

    // MARK: data split

    func testSplitIsSeededAndReportsCountsAndCrossingDuplicates() throws {
        let (interpreter, _) = try makeDataInterpreter()
        ok(interpreter, "data load \"data/support.jsonl\"")
        XCTAssertEqual(ok(interpreter, "data split train=0.9 val=0.1"), "support.jsonl: train 378, validation 42 (seed 42, no duplicate crosses parts)")
        let first = try XCTUnwrap(interpreter.session.split)
        XCTAssertEqual(first.seed, 42)
        ok(interpreter, "data split train=90% val=10% seed=42")
        XCTAssertEqual(interpreter.session.split, first, "the same seed gives the same split")
        ok(interpreter, "data split train=0.9 val=0.1 seed=7")
        XCTAssertNotEqual(interpreter.session.split?.validation, first.validation)
        ok(interpreter, "set seed=7")
        ok(interpreter, "data split train=0.9 val=0.1")
        XCTAssertEqual(interpreter.session.split?.seed, 7, "the session seed by default")
    }

    func testSplitStratifiesByLabel() throws {
        let (interpreter, _) = try makeDataInterpreter()
        ok(interpreter, "data load \"data/triage.jsonl\"")
        XCTAssertEqual(ok(interpreter, "data split train=80% val=10% test=10% seed=7"), """
            triage.jsonl: train 384, validation 48, test 48 (seed 7, stratified by label, no duplicate crosses parts)
              train      account 48, api 48, billing 48, bug 48, export 48, feature_request 48, integration 48, login 48
              validation account 6, api 6, billing 6, bug 6, export 6, feature_request 6, integration 6, login 6
              test       account 6, api 6, billing 6, bug 6, export 6, feature_request 6, integration 6, login 6
            """)
        let split = try XCTUnwrap(interpreter.session.split)
        XCTAssertEqual(Set(split.train + split.validation + split.test).count, 480)
        XCTAssertTrue(split.stratified)
    }

    func testSplitErrors() throws {
        let (interpreter, root) = try makeDataInterpreter()
        XCTAssertEqual(failure(interpreter, "data split train=0.9 val=0.2").message, "line 1, column 1: the shares add up to 1.1, not 1")
        XCTAssertEqual(failure(interpreter, "data split train=0.5 val=0.2 test=0.2").message, "line 1, column 1: the shares add up to 0.9, not 1")
        XCTAssertEqual(failure(interpreter, "data split train=0 val=1").message, "line 1, column 12: train must be more than 0: nothing would be left to train on")
        XCTAssertEqual(failure(interpreter, "data split train=0.9 val=0.1").name, "NoData")
        try write("{\"text\": \"only one\"}\n", to: "one.jsonl", in: root)
        ok(interpreter, "data load \"one.jsonl\"")
        XCTAssertEqual(failure(interpreter, "data split train=0.9 val=0.1").message, "line 1, column 1: a split needs at least 2 examples (have 1)")
        XCTAssertNil(interpreter.session.split)
    }

    // MARK: data show

    func testShowRendersWithTheTemplateAndMarksTrainedTokens() throws {
        let (interpreter, _) = try makeDataInterpreter(tiny: true)
        ok(interpreter, "data load \"data/triage.jsonl\"")
        XCTAssertTrue(ok(interpreter, "data show 0").hasPrefix("example 0, triage.jsonl line 1: 256 tokens, 0 trained (cut from 448)"), "cut at seq 256")
        ok(interpreter, "set seq=512")
        let text = ok(interpreter, "data show 0")
        XCTAssertTrue(text.hasPrefix("example 0, triage.jsonl line 1: 448 tokens, 127 trained; trained text in ⟦…⟧\n<|im_start|>user\nTriage this support ticket."), text)
        XCTAssertTrue(text.hasSuffix("<|im_start|>assistant\n⟦{\"category\": \"api\", \"severity\": \"high\", \"summary\": \"401 Unauthorized on /v2/exports despite a new key.\", \"needs_human\": false}<|im_end|>⟧"), text)
        XCTAssertFalse(text.contains("\u{1B}"), "no ANSI escapes")
        ok(interpreter, "data load \"data/sentiment.jsonl\"")
        XCTAssertEqual(ok(interpreter, "data show 1"),
                       "example 1, sentiment.jsonl line 2: 69 tokens, 10 trained; trained text in ⟦…⟧\nReview: Overall: too expensive for what it does.\nSentiment:⟦ negative<|im_end|>⟧")
    }

    func testShowErrors() throws {
        let (interpreter, _) = try makeDataInterpreter()
        XCTAssertEqual(failure(interpreter, "data show 0").name, "NoData")
        ok(interpreter, "data load \"data/sentiment.jsonl\"")
        let noModel = failure(interpreter, "data show 0")
        XCTAssertEqual(noModel.name, "NoModel")
        XCTAssertEqual(noModel.message, "line 1, column 1: `data show` needs a model: create one with `model new tiny` or load one with `model load PATH`")
        ok(interpreter, "model new tiny")
        XCTAssertEqual(failure(interpreter, "data show 60").message, "line 1, column 11: there is no example 60: sentiment.jsonl has 60 examples, numbered 0 to 59")
        XCTAssertEqual(failure(interpreter, "data show -1").name, "InvalidValue")
    }

    // MARK: data dedup and data redact

    func testDedupWritesACopyBesideTheSourceAndLoadsIt() throws {
        let (interpreter, root) = try makeDataInterpreter()
        XCTAssertEqual(failure(interpreter, "data dedup").name, "NoData")
        ok(interpreter, "data load \"data/dirty.jsonl\" mode=lenient")
        ok(interpreter, "data split train=0.9 val=0.1")
        let original = try Data(contentsOf: root.appendingPathComponent("data/dirty.jsonl"))
        let text = ok(interpreter, "data dedup")
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(Array(lines.prefix(7)), [
            "removed 5 duplicates from dirty.jsonl (109 of 114 lines kept):",
            "  line 7 repeats line 1", "  line 10 repeats line 2", "  line 13 repeats line 3", "  line 16 repeats line 4", "  line 19 repeats line 5",
            "wrote data/dirty.dedup.jsonl; now using it:",
        ])
        XCTAssertTrue(lines[7].hasPrefix("data/dirty.dedup.jsonl: 98 examples (chat) · sha256 "), lines[7])
        XCTAssertTrue(lines[8].hasPrefix("11 invalid lines skipped (mode=lenient)"), lines[8])
        XCTAssertEqual(try Data(contentsOf: root.appendingPathComponent("data/dirty.jsonl")), original, "the source is never changed")
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("data/dirty.dedup.jsonl").path))
        XCTAssertEqual(interpreter.session.dataset?.count, 98)
        XCTAssertEqual(interpreter.session.dataPath?.lastPathComponent, "dirty.dedup.jsonl")
        XCTAssertNil(interpreter.session.split, "new data drops the split")
        XCTAssertEqual(ok(interpreter, "data dedup"), "no exact or near duplicates in dirty.dedup.jsonl; nothing written, the data is unchanged")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("data/dirty.dedup.dedup.jsonl").path))
    }

    func testRedactWritesACopyWithPlaceholdersAndLoadsIt() throws {
        let (interpreter, root) = try makeDataInterpreter()
        XCTAssertEqual(failure(interpreter, "data redact").name, "NoData")
        ok(interpreter, "data load \"data/dirty.jsonl\" mode=lenient")
        let text = ok(interpreter, "data redact")
        XCTAssertEqual(text.split(separator: "\n").prefix(3).map(String.init), [
            "redacted 12 lines of dirty.jsonl: 1 email, 1 phone, 1 credit_card, 1 ssn, 1 iban, 1 ipv4, 1 ipv6, 3 api_key, 1 url_with_credentials, 1 high_entropy_secret",
            "  lines 22, 25, 28, 31, 34, 37, 40, 43, 46, 49, 52, 55",
            "wrote data/dirty.redacted.jsonl; now using it:",
        ])
        let copy = try String(contentsOf: root.appendingPathComponent("data/dirty.redacted.jsonl"), encoding: .isoLatin1)
        XCTAssertTrue(copy.contains("[EMAIL]"))
        XCTAssertEqual(interpreter.session.dataset?.count, 103)
        XCTAssertEqual(interpreter.session.dataPath?.lastPathComponent, "dirty.redacted.jsonl")
        XCTAssertTrue(ok(interpreter, "data check").contains("pii         ok     0"))
        ok(interpreter, "data load \"data/support.jsonl\"")
        XCTAssertEqual(ok(interpreter, "data redact"), "no personal data found in support.jsonl; nothing written, the data is unchanged")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("data/support.redacted.jsonl").path))
    }
}
