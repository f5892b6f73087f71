import AttuneNotebook
import Evaluation
import Foundation
import XCTest
@testable import AttuneRuntime

/// `review`: stratified seeded sampling, scripted answers, stop and resume, the key kept out of
/// the notebook until the end, replay from recorded ratings, export and import with kappa.
final class ReviewCommandTests: XCTestCase {
    /// A session holding two evaluations `base` and `tuned` of `count` examples: categories a, b, c
    /// in the proportions 3 : 2 : 1; base replies `base reply i`, tuned `tuned reply i`.
    func interpreterWithEvaluations(count: Int = 30, seed: UInt64 = 42) -> Interpreter {
        let interpreter = makeInterpreter(seed: seed)
        let ids = (0..<count).map { "set.jsonl:\($0 + 1)" }
        let categories: [String?] = (0..<count).map { i in i % 6 < 3 ? "a" : i % 6 < 5 ? "b" : "c" }
        for name in ["base", "tuned"] {
            interpreter.session.evaluations[name] = EvaluationResult(
                setName: "set.jsonl (\(count) examples)", modelLabel: "\(name) model", ids: ids,
                prompts: ids.indices.map { "question \($0)" }, expected: ids.map { _ in "" }, metrics: nil, checks: .none,
                replies: Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, "\(name) reply \($0)") }), report: nil, cut: [],
                tooLong: [], maxTokens: 8, samples: 0, categories: categories)
        }
        return interpreter
    }

    /// Answers `review` questions from a list, counting how many were asked.
    final class Answers {
        var lines: [String]
        var asked: [String] = []
        init(_ lines: [String]) { self.lines = lines }
        func attach(to session: Session) { session.ask = { [self] question in asked.append(question); return lines.isEmpty ? nil : lines.removeFirst() } }
    }

    func testSampleIsStratifiedSeededAndWarnsBelowAHundred() throws {
        let interpreter = interpreterWithEvaluations()
        Answers(["q"]).attach(to: interpreter.session)
        let text = ok(interpreter, "review base tuned n=12 rubric=[]")
        // 30 examples a 15, b 10, c 5; n = 12: one each, then 9 by (14, 9, 4)/27 → 4.67, 3, 1.33
        // → 4, 3, 1 and the one left to a → a 6, b 4, c 2.
        XCTAssertTrue(text.contains("stratified by category: a 6, b 4, c 2"), text)
        XCTAssertTrue(text.contains("warning: n=12 is below the guide's 100"), text)
        XCTAssertTrue(text.contains("0 of 12 rated, 0 skipped, 12 left"), text)
        let review = try XCTUnwrap(interpreter.session.review)
        let again = interpreterWithEvaluations()
        Answers(["q"]).attach(to: again.session)
        ok(again, "review base tuned n=12 rubric=[]")
        XCTAssertEqual(again.session.review?.items, review.items, "same seed, same sample in the same order")
        XCTAssertEqual(again.session.review?.id, review.id)
        let other = interpreterWithEvaluations(seed: 43)
        Answers(["q"]).attach(to: other.session)
        ok(other, "review base tuned n=12 rubric=[]")
        XCTAssertNotEqual(other.session.review?.items.map(\.id), review.items.map(\.id))
        // Fewer examples than asked: all of them, and the warning says so.
        let all = interpreterWithEvaluations(count: 6)
        Answers(["q"]).attach(to: all.session)
        XCTAssertTrue(ok(all, "review base tuned").contains("warning: only 6 examples to review"))
        XCTAssertEqual(all.session.review?.items.count, 6)
    }

    /// Raters read the whole prompt (instruction and input) even when the evaluations ran on a file
    /// other than the loaded data, and the sample can be stratified by a field inside the answer.
    func testRatersSeeWholePromptsOfAnEvaluatedFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reviewprompts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let lines = (0..<6).map { i in
            #"{"instruction": "Triage this ticket.", "input": "Subject: case \#(i)\n\nThe body of ticket \#(i) says what is wrong.", "output": "{\"category\": \"\#(i % 2 == 0 ? "bug" : "login")\"}"}"#
        }
        let file = folder.appendingPathComponent("held.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let interpreter = makeInterpreter(tiny: true)
        ok(interpreter, "first = eval on=\"\(file.path)\" by=output.category max=2 loss=false samples=0")
        ok(interpreter, "second = eval on=\"\(file.path)\" by=output.category max=3 loss=false samples=0")
        Answers(["q"]).attach(to: interpreter.session)
        let text = ok(interpreter, "review first second by=output.category rubric=[]")
        XCTAssertTrue(text.contains("stratified by output.category: bug 3, login 3"), text)
        let review = try XCTUnwrap(interpreter.session.review)
        for item in review.items {
            let number = item.id.split(separator: ":").last!
            XCTAssertEqual(item.prompt, "Triage this ticket.\n\nSubject: case \(Int(number)! - 1)\n\nThe body of ticket \(Int(number)! - 1) says what is wrong.")
        }
    }

    /// An evaluation that cut replies early (eval stops once a reply cannot become JSON) would show
    /// raters the cut text: review says so and how to keep replies whole.
    func testCutRepliesAreNamed() {
        let interpreter = interpreterWithEvaluations()
        interpreter.session.evaluations["base"]?.cut = ["set.jsonl:1", "set.jsonl:2"]
        Answers(["q"]).attach(to: interpreter.session)
        let text = ok(interpreter, "review base tuned rubric=[]")
        XCTAssertTrue(text.contains("warning: base's replies to 2 of the 30 examples were cut at their first words"), text)
        XCTAssertTrue(text.contains("samples=30"), text)
        XCTAssertFalse(text.contains("tuned's replies"), text)
    }

    func testBadInputIsRefusedWithoutChangingTheSession() {
        let interpreter = interpreterWithEvaluations()
        Answers(["q"]).attach(to: interpreter.session)
        XCTAssertEqual(failure(interpreter, "review base nothing").name, "NotFound")
        XCTAssertEqual(failure(interpreter, "review base tuned n=0").name, "InvalidValue")
        XCTAssertTrue(failure(interpreter, "review base base").message.contains("two different sides"))
        XCTAssertEqual(failure(interpreter, "review base tuned on=\"none.jsonl\"").name, "NotFound")
        XCTAssertTrue(failure(interpreter, "review base tuned by=severity").message.contains("review by=category"))
        XCTAssertTrue(failure(interpreter, "review base tuned rubric=[tone, tone]").message.contains("twice"))
        XCTAssertEqual(failure(interpreter, "review resume").name, "NoReview")
        XCTAssertEqual(failure(interpreter, "review import \"x.json\"").name, "NoReview")
        // No one to ask (a script, a server): a clear error, and nothing is left open.
        interpreter.session.ask = nil
        XCTAssertEqual(failure(interpreter, "review base tuned n=4").name, "NoRater")
        XCTAssertNil(interpreter.session.review)
    }

    /// Answers preferring the model `prefer` names on each pending item of the open review (nil: a
    /// tie), with scores: winner 5 4 4, loser 3 3 2, tie 4 4 4 (as many as the rubric has criteria).
    func answers(for review: OpenReview, prefer: (Int) -> String?) -> [String] {
        let assignment = review.assignment!
        let k = review.rubric.criteria.count
        let (winner, loser, tie) = (["5", "4", "4"].prefix(k).joined(separator: " "), ["3", "3", "2"].prefix(k).joined(separator: " "),
                                    ["4", "4", "4"].prefix(k).joined(separator: " "))
        var lines: [String] = []
        for item in review.pending {
            guard let model = prefer(item) else { lines += ["t", tie, tie]; continue }
            let aWins = assignment.model(item: item, label: .a) == model
            lines += [aWins ? "a" : "b", aWins ? winner : loser, aWins ? loser : winner]
        }
        return lines
    }

    func testRatingStopResumeAndResult() throws {
        let interpreter = interpreterWithEvaluations()
        interpreter.session.drawReviewKey = { 99 }
        let first = Answers(["x", "s", "q"])
        first.attach(to: interpreter.session)
        var text = ok(interpreter, "review base tuned n=8")
        XCTAssertTrue(text.contains("0 of 8 rated, 1 skipped, 7 left"), text)
        XCTAssertTrue(text.contains("the key is kept in memory only"), text)
        XCTAssertEqual(first.asked.count, 3, "x is refused and asked again, s skips, q stops")
        var review = try XCTUnwrap(interpreter.session.review)
        XCTAssertEqual(review.keySeed, 99)
        // Prefer tuned on the first 5 pending items, base on 1, tie on 1; one bad score line re-asked.
        let pending = review.pending
        var lines = answers(for: review) { item in
            let rank = pending.firstIndex(of: item)!
            return rank < 5 ? "tuned" : rank == 5 ? "base" : nil
        }
        lines.insert("9 9 9", at: 1)
        Answers(lines).attach(to: interpreter.session)
        text = ok(interpreter, "review resume")
        review = try XCTUnwrap(interpreter.session.review)
        XCTAssertTrue(review.ended)
        // 7 rated items: scores 1,1,1,1,1,0,½ → 5.5/7 = 78.6%; Wilson at p̂ = 0.785714, n = 7:
        // z²/n = 0.548780, centre = (0.785714 + 0.274390)/1.548780 = 0.684480,
        // half = 1.959964/1.548780 · √(0.168367/7 + 3.841459/196) = 1.265489 · 0.208953 = 0.264425 → 42.0%–94.9%.
        XCTAssertTrue(text.contains("all items  78.6%           42.0%–94.9%    7"), text)
        XCTAssertTrue(text.contains("preferences: tuned 5, base 1, tie 1"), text)
        XCTAssertTrue(text.contains("tuned vs base on set.jsonl (30 examples), 7 of 8 items rated, 7 ratings by 1 rater (you)"), text)
        // Accuracy: tuned 5 on 5 wins + 3 on the loss + 4 on the tie → 32/7; base 3·5 + 5 + 4 = 24/7.
        let result = try XCTUnwrap(review.comparison())
        XCTAssertEqual(result.criteria[0].means[1]!, 32.0 / 7, accuracy: 1e-12)
        XCTAssertEqual(result.criteria[0].means[0]!, 24.0 / 7, accuracy: 1e-12)
        XCTAssertTrue(text.contains("accuracy"), text)
        XCTAssertTrue(text.contains("warning: Only 7 items rated"), text)
        XCTAssertEqual(failure(interpreter, "review resume").name, "ReviewEnded")
    }

    /// Records `sources` as cells of a notebook at `url`, answering review questions from `answers`.
    func record(_ sources: [String], answers: [[String]], to url: URL, interpreter: Interpreter, recorder: SessionRecorder) {
        for (source, lines) in zip(sources, answers) {
            Answers(lines).attach(to: interpreter.session)
            let run = interpreter.run(source: source)
            XCTAssertNil(run.firstError.map { "\(source): \($0.message)" })
            recorder.record(source: source, run: run)
        }
    }

    func testKeyStaysOutOfTheNotebookUntilTheEndAndReplayVerifies() throws {
        let folder = try ticketFolder()
        let url = folder.appendingPathComponent("review.attune.md")
        let recorder = try SessionRecorder(creating: url, seed: 42, title: "review")
        let interpreter = makeInterpreter()
        interpreter.session.paths = .unrestricted(base: folder)
        interpreter.session.notebookURL = url
        let keySeed: UInt64 = 0xC0FFEE_1234_5678
        interpreter.session.drawReviewKey = { keySeed }
        let setup = ["model new tiny", "data load \"tickets.jsonl\"",
                     "short = eval on=\"tickets.jsonl\" check=none samples=6 max=3 loss=false",
                     "long = eval on=\"tickets.jsonl\" check=none samples=6 max=6 loss=false"]
        record(setup, answers: setup.map { _ in [] }, to: url, interpreter: interpreter, recorder: recorder)
        // Rate two items, skip one, stop.
        Answers([]).attach(to: interpreter.session)
        record(["review short long n=6 rubric=[accuracy]"], answers: [["a", "4", "2", "s", "t", "3", "3", "q"]], to: url, interpreter: interpreter, recorder: recorder)
        let sidecar = folder.appendingPathComponent("review.review-key.json")
        let open = try String(contentsOf: url, encoding: .utf8)
        let review = try XCTUnwrap(interpreter.session.review)
        let aIs = review.items.indices.map { review.assignment!.model(item: $0, label: .a) }
        XCTAssertFalse(open.contains(String(keySeed)), "the key seed is not in the notebook while the review is open")
        XCTAssertFalse(open.contains("key_seed") || open.contains("a_is"), open)
        XCTAssertFalse(open.contains("── A ──"), "the blinded pairs are shown live, never recorded")
        XCTAssertTrue(open.contains("\"preference\": \"a\""), "ratings are recorded in blinded terms")
        let key = try String(contentsOf: sidecar, encoding: .utf8)
        XCTAssertTrue(key.contains(String(keySeed)) && key.contains(review.id), key)
        // Finish: the key goes into the notebook and the sidecar goes away.
        let rest = answers(for: review) { _ in "long" }
        record(["review resume"], answers: [rest], to: url, interpreter: interpreter, recorder: recorder)
        XCTAssertTrue(interpreter.session.review!.ended)
        let ended = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(ended.contains("\"key_seed\": \"\(keySeed)\""), ended)
        XCTAssertTrue(ended.contains(JSONValue.array(aIs.map(JSONValue.string)).text()), ended)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sidecar.path))
        // Replay answers from the recording (no one to ask) and verify recomputes the statistics.
        let document = try NotebookReader.read(contentsOf: url)
        let outcome = NotebookVerification.verify(document, folder: folder)
        XCTAssertTrue(outcome.report.passed, outcome.report.rendered)
        // A changed rating changes the recomputed result: verify fails.
        var edited = document
        edited.updateCells { cell in
            for index in cell.outputs.indices where cell.outputs[index].kind == .metrics {
                cell.outputs[index].text = cell.outputs[index].text.replacingOccurrences(of: "\"preference\": \"tie\"", with: "\"preference\": \"b\"")
            }
        }
        XCTAssertFalse(NotebookVerification.verify(edited, folder: folder).report.passed)
    }

    func testExportImportTwoAndThreeRaters() throws {
        let folder = temporaryFolder()
        let interpreter = interpreterWithEvaluations(count: 12)
        interpreter.session.paths = .unrestricted(base: folder)
        interpreter.session.drawReviewKey = { 5 }
        Answers(["q"]).attach(to: interpreter.session)
        ok(interpreter, "review base tuned n=4 rubric=[tone]")
        let review = try XCTUnwrap(interpreter.session.review)
        XCTAssertTrue(ok(interpreter, "review export \"page\"").contains("wrote page/review.html and page/items.jsonl: 4 items"))
        let page = try String(contentsOf: folder.appendingPathComponent("page/review.html"), encoding: .utf8)
        XCTAssertTrue(page.contains(review.id) && page.contains("id=\"save\""))
        XCTAssertFalse(page.contains("\"base\"") || page.contains("tuned model"), "the page names no model")
        let items = try String(contentsOf: folder.appendingPathComponent("page/items.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(items.count, 4)
        let first = try JSONValue.parse(String(items[0]))
        XCTAssertEqual(first["a"]?.stringValue, review.items[0].outputs[review.assignment!.modelIndex(item: 0, label: .a)])
        XCTAssertEqual(first["digest"]?.stringValue, ReviewRatingFile.digest(of: review.items[0].outputs))
        XCTAssertTrue(page.contains("digest: item.digest"), "the page saves each item's digest with its rating")

        // Two raters: ann prefers tuned on all four; bo on items 1–2, base on 3, tie on 4.
        // `digests`: what the page saved with each rating (nil: a page from before digests).
        func file(_ rater: String, _ prefs: [String?], digests: [String]? = nil) throws -> String {
            let ratings = prefs.enumerated().map { item, model -> String in
                let side = model.map { review.assignment!.model(item: item, label: .a) == $0 ? "a" : "b" } ?? "tie"
                let digest = digests.map { ", \"digest\": \"\($0[item])\"" } ?? ""
                return "{\"item\": \(item + 1), \"id\": \"\(review.items[item].id)\"\(digest), \"preference\": \"\(side)\", \"scores_a\": [4], \"scores_b\": [3]}"
            }
            let text = "{\"format\": \"attune-review-ratings/1\", \"review\": \"\(review.id)\", \"rater\": \"\(rater)\", \"rubric\": [\"tone\"], \"ratings\": [\(ratings.joined(separator: ","))]}"
            try text.write(to: folder.appendingPathComponent("\(rater).json"), atomically: true, encoding: .utf8)
            return "\(rater).json"
        }
        let digests = review.items.map { ReviewRatingFile.digest(of: $0.outputs) }
        let ann = try file("ann", ["tuned", "tuned", "tuned", "tuned"], digests: digests)
        let bo = try file("bo", ["tuned", "tuned", "base", nil])
        let text = ok(interpreter, "review import \"\(ann)\" \"\(bo)\"")
        XCTAssertFalse(text.contains("have changed since"), "matching digests, or none, warn of nothing: \(text)")
        // Items: (1+1)/2, (1+1)/2, (1+0)/2, (1+½)/2 → 1, 1, ½, ¾ → 81.25%.
        XCTAssertTrue(text.contains("imported ann (4 ratings), bo (4 ratings)"), text)
        XCTAssertTrue(text.contains("all items  81.2%") || text.contains("all items  81.3%"), text)
        // Cohen on [tuned×4] vs [tuned, tuned, base, tie]: pₒ = ½, pₑ = 1·½ = ½ → κ = 0.
        XCTAssertTrue(text.contains("agreement on preference: Cohen's κ = 0.000 (slight), 4 subjects, 2 raters"), text)
        XCTAssertTrue(interpreter.session.review!.ended)
        // A third rater: Fleiss' kappa. cy agrees with bo.
        // cy rated item 2 when its replies read differently (another digest): counted, with a warning.
        var stale = digests
        stale[1] = String(repeating: "0", count: 16)
        let cy = try file("cy", ["tuned", "tuned", "base", nil], digests: stale)
        let three = ok(interpreter, "review import \"\(ann)\" \"\(bo)\" \"\(cy)\"")
        XCTAssertTrue(three.contains("cy.json: cy rated item 2 on replies that have changed since"), three)
        // Per item counts (tuned, base, tie): [3,0,0], [3,0,0], [1,2,0], [1,0,2]; Σn² = 9, 9, 5, 5 → Pᵢ = 1, 1, ⅓, ⅓,
        // P̄ = ⅔; pⱼ = 8/12, 2/12, 2/12 → P̄ₑ = (64 + 4 + 4)/144 = ½; κ = (⅔ − ½)/(½) = ⅓.
        XCTAssertTrue(three.contains("agreement on preference: Fleiss' κ = 0.333 (fair), 4 subjects, 3 raters"), three)
        // Bad files name the file, the place and the fix.
        try "{\"format\": \"attune-review-ratings/1\", \"review\": \"rdeadbeef\", \"rater\": \"x\", \"rubric\": [\"tone\"], \"ratings\": []}"
            .write(to: folder.appendingPathComponent("other.json"), atomically: true, encoding: .utf8)
        XCTAssertTrue(failure(interpreter, "review import \"other.json\"").message.contains("other.json: these ratings belong to review rdeadbeef"))
        try "{\"format\": \"attune-review-ratings/1\", \"review\": \"\(review.id)\", \"rater\": \"x\", \"rubric\": [\"tone\"], \"ratings\": [{\"item\": 9, \"preference\": \"a\"}]}"
            .write(to: folder.appendingPathComponent("range.json"), atomically: true, encoding: .utf8)
        XCTAssertTrue(failure(interpreter, "review import \"range.json\"").message.contains("ratings[0].item must be an item number 1…4"))
        try "not json".write(to: folder.appendingPathComponent("junk.json"), atomically: true, encoding: .utf8)
        XCTAssertTrue(failure(interpreter, "review import \"junk.json\"").message.contains("junk.json: not JSON"))
        XCTAssertEqual(failure(interpreter, "review import \"missing.json\"").name, "NotFound")
        XCTAssertTrue(failure(interpreter, "review import \"\(ann)\" \"\(ann)\"").message.contains("imported twice"))
    }

    func testScoresParse() {
        let rubric = Rubric.standard
        XCTAssertEqual(try? ReviewRating.parseScores("4 3 5", rubric: rubric).get(), [4, 3, 5])
        XCTAssertEqual(try? ReviewRating.parseScores("4,3,5", rubric: rubric).get(), [4, 3, 5])
        XCTAssertEqual(try? ReviewRating.parseScores("435", rubric: rubric).get(), [4, 3, 5])
        if case .failure(let problem) = ReviewRating.parseScores("4 3", rubric: rubric) { XCTAssertEqual(problem.text, "give 3 scores (accuracy, tone, completeness), got 2") } else { XCTFail() }
        if case .failure(let problem) = ReviewRating.parseScores("4 6 5", rubric: rubric) { XCTAssertEqual(problem.text, "tone must be a whole number 1–5, got 6") } else { XCTFail() }
    }
}
