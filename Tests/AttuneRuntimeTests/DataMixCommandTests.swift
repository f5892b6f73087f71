import Datasets
import Foundation
import XCTest
@testable import AttuneRuntime

/// `data mix` and what reads the mixture (`data check`, `data split`, `train`), and `eval`'s
/// warning about examples that are also training examples.
extension DataCommandTests {
    func copyShipped(_ name: String, to root: URL) throws {
        try FileManager.default.copyItem(at: Self.shippedData.appendingPathComponent(name), to: root.appendingPathComponent("data/\(name)"))
    }

    func testMixAddsTheShareAndRecordsBothFiles() throws {
        let (interpreter, root) = try makeDataInterpreter(tiny: true)
        try copyShipped("general-mix.jsonl", to: root)
        var noted = [String]()
        interpreter.session.dataFileObserver = { url, hash in noted.append("\(url.lastPathComponent) \(hash.prefix(12))") }
        ok(interpreter, "data load \"data/triage.jsonl\"")
        let text = ok(interpreter, "data mix \"data/general-mix.jsonl\" share=15%")
        let mixHash = try XCTUnwrap(DataCommands.sha256(root.appendingPathComponent("data/general-mix.jsonl"))).prefix(12)
        XCTAssertEqual(text, """
            mixture of 565 examples (seed 42):
              data/triage.jsonl       480  85.0%  sha256 33d76e7174f9
              data/general-mix.jsonl   85  15.0%  sha256 \(mixHash)  (85 of its 100 chat examples)
            """)
        XCTAssertEqual(noted, ["triage.jsonl 33d76e7174f9", "triage.jsonl 33d76e7174f9", "general-mix.jsonl \(mixHash)"])
        let mixture = try XCTUnwrap(interpreter.session.dataset)
        XCTAssertEqual(mixture.count, 565)
        XCTAssertEqual(mixture.indices(ofSource: 1).count, 85)
        // The same seed mixes in the same examples; seed= picks others.
        let lines = mixture.examples.filter { $0.source == 1 }.map(\.line)
        ok(interpreter, "data mix \"data/general-mix.jsonl\" share=15%")
        XCTAssertEqual(interpreter.session.dataset!.examples.filter { $0.source == 1 }.map(\.line), lines)
        XCTAssertTrue(ok(interpreter, "data mix \"data/general-mix.jsonl\" share=10% seed=7").contains("(replaces the mix of general-mix.jsonl)"))
        XCTAssertEqual(interpreter.session.dataset!.count, 480 + 53)
        XCTAssertNotEqual(Array(interpreter.session.dataset!.examples.filter { $0.source == 1 }.map(\.line).prefix(53)), Array(lines.prefix(53)))
        // The value.
        let run = interpreter.run(source: "m = data mix \"data/general-mix.jsonl\" share=0.15\nprint m.examples, m.loaded, m.mixed")
        XCTAssertNil(run.firstError.map { "\($0)" })
        XCTAssertEqual(run.outcomes.last?.output.stream.last, "565 480 85")
        // data load starts over without a mixture.
        ok(interpreter, "data load \"data/triage.jsonl\"")
        XCTAssertEqual(interpreter.session.dataset?.sourceCount, 1)
    }

    func testMixRefusesBadInputWithTheFix() throws {
        let (interpreter, root) = try makeDataInterpreter()
        try copyShipped("general-mix.jsonl", to: root)
        let before = failure(interpreter, "data mix \"data/general-mix.jsonl\" share=15%")
        XCTAssertEqual(before.name, "NoData")
        XCTAssertTrue(before.message.contains("load the main data first with `data load \"PATH\"`, then mix"), before.message)
        ok(interpreter, "data load \"data/triage.jsonl\"")
        XCTAssertEqual(failure(interpreter, "data mix \"data/missing.jsonl\" share=15%").name, "NotFound")
        XCTAssertEqual(failure(interpreter, "data mix \"data/general-mix.jsonl\" share=0").message,
                       "line 1, column 35: share must be more than 0% and less than 100% of the mixture (got 0.0%); the guide mixes in 10–20%")
        XCTAssertTrue(failure(interpreter, "data mix \"data/general-mix.jsonl\" share=100%").message.contains("share must be more than 0% and less than 100%"))
        XCTAssertTrue(failure(interpreter, "data mix \"data/general-mix.jsonl\" share=150%").message.contains("share must be between 0 and 1"))
        XCTAssertTrue(failure(interpreter, "data mix \"data/general-mix.jsonl\"").message.contains("data mix needs share="))
        XCTAssertTrue(failure(interpreter, "data mix \"data/general-mix.jsonl\" share=40%").message
            .contains("general-mix.jsonl has 100 examples, and share=40.0% of a mixture with 480 loaded examples needs 320: lower the share"))
        XCTAssertTrue(failure(interpreter, "data mix \"data/triage.jsonl\" share=15%").message.contains("is the loaded data itself"))
        XCTAssertTrue(failure(interpreter, "data mix \"data\" share=15%").message.contains("is a folder"))
        // A failed mix changes nothing.
        XCTAssertEqual(interpreter.session.dataset?.count, 480)
        XCTAssertEqual(interpreter.session.dataset?.sourceCount, 1)
    }

    func testCheckSplitAndTrainReadTheMixture() throws {
        let (interpreter, root) = try makeDataInterpreter(tiny: true)
        try copyShipped("general-mix.jsonl", to: root)
        ok(interpreter, "data load \"data/triage.jsonl\"")
        let unmixed = ok(interpreter, "data split train=0.9 val=0.1")
        let unmixedSplit = try XCTUnwrap(interpreter.session.split)
        ok(interpreter, "data mix \"data/general-mix.jsonl\" share=15%")
        XCTAssertNil(interpreter.session.split, "mixing drops the split")
        // data check: each file on its own, then copies across the files.
        let check = ok(interpreter, "data check")
        let checkLines = check.split(separator: "\n").map(String.init)
        XCTAssertEqual(checkLines[0], "mixture of 565 examples: triage.jsonl 480 (85.0%) + general-mix.jsonl 85 (15.0%)")
        XCTAssertTrue(checkLines[1].hasPrefix("data check: triage.jsonl, 480 instruction examples"), checkLines[1])
        XCTAssertTrue(check.contains("data check: general-mix.jsonl, 85 chat examples"), check)
        XCTAssertEqual(check.components(separatedBy: "\n  size ").count, 2, "the size check only for the loaded file")
        XCTAssertTrue(check.contains("across files: no example of general-mix.jsonl is a copy or near copy of one in triage.jsonl"), check)
        // data split: per file; the loaded file's parts are the unmixed ones.
        let split = ok(interpreter, "data split train=0.9 val=0.1")
        let mixedSplit = try XCTUnwrap(interpreter.session.split)
        XCTAssertEqual(mixedSplit.validation.filter { $0 < 480 }, unmixedSplit.validation.sorted())
        XCTAssertEqual(mixedSplit.train.filter { $0 < 480 }, unmixedSplit.train.sorted())
        let splitLines = split.split(separator: "\n").map(String.init)
        XCTAssertTrue(splitLines[0].hasPrefix("mixture: train \(mixedSplit.train.count), validation \(mixedSplit.validation.count) (seed 42, stratified by label"), splitLines[0])
        XCTAssertTrue(splitLines[0].hasSuffix(", each file split on its own"), splitLines[0])
        XCTAssertEqual(splitLines[1], "  triage.jsonl       " + unmixed.split(separator: "\n")[0].dropFirst("triage.jsonl: ".count))
        XCTAssertTrue(splitLines[2].hasPrefix("  general-mix.jsonl  train "), splitLines[2])
        // eval on=val names the mixed-in examples by their own file.
        let validation = ok(interpreter, "eval on=val check=none loss=false samples=100 max=1")
        XCTAssertEqual(validation.components(separatedBy: "\n  triage.jsonl:").count - 1, 48, validation)
        XCTAssertEqual(validation.components(separatedBy: "\n  general-mix.jsonl:").count - 1, mixedSplit.validation.count - 48, validation)
        // train renders the mixture's train part: more trained tokens than the loaded file's alone.
        ok(interpreter, "method lora r=2")
        ok(interpreter, "set batch=4 seq=256")
        ok(interpreter, "train steps=1")
        let mixedTokens = try XCTUnwrap(interpreter.session.training).batches.reduce(0) { $0 + $1.labels.filter { $0 != -100 }.count }
        ok(interpreter, "data load \"data/triage.jsonl\"\ndata split train=0.9 val=0.1\ntrain steps=1")
        let plainTokens = try XCTUnwrap(interpreter.session.training).batches.reduce(0) { $0 + $1.labels.filter { $0 != -100 }.count }
        XCTAssertGreaterThan(mixedTokens, plainTokens)
    }

    func testEvalWarnsWhenItsFileOverlapsTheTrainingData() throws {
        let (interpreter, root) = try makeDataInterpreter(tiny: true)
        let lines = try String(contentsOf: root.appendingPathComponent("data/triage.jsonl"), encoding: .utf8).split(separator: "\n").map(String.init)
        // Held-out: two training lines, one with a changed answer, one near copy (a word changed), two new.
        let changed = lines[9].replacingOccurrences(of: "\"output\": \"", with: "\"output\": \"changed ")
        let record = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[20].utf8)) as? [String: String])
        var near = record
        near["input"] = record["input"]!.replacingOccurrences(of: ".", with: ". Thanks,", options: [], range: record["input"]!.range(of: "."))
        let nearLine = String(decoding: try JSONSerialization.data(withJSONObject: near, options: [.sortedKeys]), as: UTF8.self)
        let new1 = #"{"instruction": "Classify the ticket.", "input": "The hamster ate my invoice and the printer sings at night.", "output": "{\"category\": \"other\"}"}"#
        let new2 = #"{"instruction": "Classify the ticket.", "input": "Quarterly compliance audit needs the archived ledgers from 2019.", "output": "{\"category\": \"other\"}"}"#
        try write([new1, lines[0], changed, nearLine, lines[4], new2].joined(separator: "\n") + "\n", to: "data/held.jsonl", in: root)
        // Nothing loaded: no warning.
        var run = interpreter.run(source: "eval on=\"data/held.jsonl\" check=none loss=false samples=0")
        XCTAssertNil(run.firstError.map { "\($0)" })
        XCTAssertEqual(run.outcomes[0].output.warnings, [])
        ok(interpreter, "data load \"data/triage.jsonl\"")
        run = interpreter.run(source: "eval on=\"data/held.jsonl\" check=none loss=false samples=0")
        XCTAssertNil(run.firstError.map { "\($0)" })
        let warnings = run.outcomes[0].output.warnings
        XCTAssertEqual(warnings.count, 1, "\(warnings)")
        let leaks = DatasetComparison.findLeaks(interpreter.session.dataset!.examples,
                                                try DatasetLoader.load(path: root.appendingPathComponent("data/held.jsonl").path).examples, nearThreshold: 0.8)
        XCTAssertEqual(leaks.map(\.kind), [.exact, .samePrompt, .near, .exact], "the planted copies")
        XCTAssertEqual(warnings[0], "4 of the 6 examples of data/held.jsonl also occur in the training data loaded in this session (triage.jsonl): "
                       + "2 exact, 1 same prompt, 1 near; first: held.jsonl:2 = triage.jsonl:1 (exact), held.jsonl:3 = triage.jsonl:10 (same prompt), "
                       + String(format: "held.jsonl:4 = triage.jsonl:21 (near %.2f)", leaks[2].similarity)
                       + ", …. Results on them overstate quality: evaluate on data the model never trained on")
        // After a split only the train part counts; on=val is never warned about.
        ok(interpreter, "data split train=0.9 val=0.1")
        run = interpreter.run(source: "eval on=val[0:2] check=none loss=false samples=0")
        XCTAssertEqual(run.outcomes[0].output.warnings, [])
        run = interpreter.run(source: "eval on=\"data/held.jsonl\" check=none loss=false samples=0")
        XCTAssertTrue(run.outcomes[0].output.warnings.first?.contains("(triage.jsonl (train part))") ?? false, "\(run.outcomes[0].output.warnings)")
    }
}
