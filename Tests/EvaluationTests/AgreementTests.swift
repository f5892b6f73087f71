import XCTest
@testable import Evaluation

final class AgreementTests: XCTestCase {
    func testWilsonIntervalSixtyOfHundred() {
        // p̂ = 0.6, n = 100, z = 1.959964, z² = 3.841459, z²/n = 0.0384146
        // centre = (0.6 + 0.0192073) / 1.0384146 = 0.596294
        // half   = 1.959964 / 1.0384146 · √(0.24/100 + 3.841459/40000)
        //        = 1.887458 · √0.00249604 = 1.887458 · 0.0499604 = 0.094298
        // → [0.501996, 0.690592]
        let interval = WilsonInterval(successes: 60, trials: 100)!
        XCTAssertEqual(interval.lower, 0.501996, accuracy: 1e-5)
        XCTAssertEqual(interval.upper, 0.690592, accuracy: 1e-5)
        // All wins out of 10 stays inside [0, 1]: upper 1, lower = 10/(10 + z²) = 0.722460.
        let perfect = WilsonInterval(successes: 10, trials: 10)!
        XCTAssertEqual(perfect.upper, 1, accuracy: 1e-12)
        XCTAssertEqual(perfect.lower, 10 / (10 + WilsonInterval.z95 * WilsonInterval.z95), accuracy: 1e-12)
        XCTAssertNil(WilsonInterval(successes: 0, trials: 0))
    }

    func testCohensKappaTextbookTable() {
        // The classic 2×2 table (50 subjects):      rater B yes  rater B no
        //                             rater A yes        20          5
        //                             rater A no         10         15
        // pₒ = (20 + 15)/50 = 0.70; A says yes 25/50 = 0.5, B says yes 30/50 = 0.6
        // pₑ = 0.5·0.6 + 0.5·0.4 = 0.50;  κ = (0.70 − 0.50)/(1 − 0.50) = 0.40
        let a = Array(repeating: "yes", count: 25) + Array(repeating: "no", count: 25)
        let b = Array(repeating: "yes", count: 20) + Array(repeating: "no", count: 5)
            + Array(repeating: "yes", count: 10) + Array(repeating: "no", count: 15)
        XCTAssertEqual(Agreement.cohensKappa(a, b)!, 0.4, accuracy: 1e-12)
        XCTAssertEqual(Agreement.cohensKappa(a, a)!, 1, accuracy: 1e-12)
        XCTAssertNil(Agreement.cohensKappa(["x", "x"], ["x", "x"]))  // pₑ = 1: undefined
    }

    func testFleissKappaWorkedExample() {
        // Fleiss' textbook-style example: 10 subjects, 14 raters, 5 categories.
        // Pᵢ = (Σⱼ nᵢⱼ² − 14)/(14·13): numerators 182, 46, 56, 80, 60, 84, 44, 32, 52, 52 (sum 688)
        // P̄ = 688/1820 = 0.378022
        // column totals 20, 28, 39, 21, 32 of 140 → P̄ₑ = (400+784+1521+441+1024)/19600 = 0.212755
        // κ = (0.378022 − 0.212755)/(1 − 0.212755) = 0.209930
        let table = [
            [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
            [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
        ]
        XCTAssertEqual(Agreement.fleissKappa(counts: table)!, (688.0 / 1820 - 4170.0 / 19600) / (1 - 4170.0 / 19600), accuracy: 1e-12)
        XCTAssertEqual(Agreement.fleissKappa(counts: table)!, 0.209930, accuracy: 1e-6)
        // From labels: three raters in full agreement on varied subjects → 1.
        XCTAssertEqual(Agreement.fleissKappa(labels: [["a", "a", "a"], ["b", "b", "b"], ["a", "a", "a"]])!, 1, accuracy: 1e-12)
        // Two raters: Fleiss uses pooled marginals. Same table as the Cohen example:
        // P̄ = 0.70, pooled yes = (25+30)/100 = 0.55 → P̄ₑ = 0.55² + 0.45² = 0.505, κ = 0.195/0.495.
        let pairs = (0..<50).map { i -> [String] in
            let a = i < 25 ? "yes" : "no"
            let b = i < 20 ? "yes" : i < 25 ? "no" : i < 35 ? "yes" : "no"
            return [a, b]
        }
        XCTAssertEqual(Agreement.fleissKappa(labels: pairs)!, 0.195 / 0.495, accuracy: 1e-12)
        XCTAssertEqual(Agreement.interpretation(0.4), "moderate")
        // The parts of κ: the Cohen example's pₒ = 0.7 and pₑ = 0.5; Fleiss' P̄ and P̄ₑ above.
        let cohen = Agreement.cohen(pairs.map { $0[0] }, pairs.map { $0[1] })!
        XCTAssertEqual(cohen.observed, 0.7, accuracy: 1e-12)
        XCTAssertEqual(cohen.chance, 0.5, accuracy: 1e-12)
        let fleiss = Agreement.fleiss(counts: table)!
        XCTAssertEqual(fleiss.observed, 688.0 / 1820, accuracy: 1e-12)
        XCTAssertEqual(fleiss.chance, 4170.0 / 19600, accuracy: 1e-12)
    }
}

final class BlindComparisonTests: XCTestCase {
    let models = ["base", "tuned"]
    func items(_ count: Int) -> [BlindItem] {
        (0..<count).map { BlindItem(id: "q\($0)", prompt: "prompt \($0)", outputs: ["base says \($0)", "tuned says \($0)"]) }
    }

    /// The blinded preference that means `model` (or a tie).
    func side(_ session: BlindSession, _ item: Int, prefers model: String?) -> Preference {
        guard let model else { return .tie }
        return session.assignment.model(item: item, label: .a) == model ? .a : .b
    }

    func testAssignmentIsSeededAndHidden() {
        let first = BlindSession(models: models, items: items(40), seed: 42)
        let again = BlindSession(models: models, items: items(40), seed: 42)
        let other = BlindSession(models: models, items: items(40), seed: 43)
        XCTAssertEqual(first.assignment, again.assignment)
        XCTAssertNotEqual(first.assignment.swapped, other.assignment.swapped)
        let swaps = first.assignment.swapped.filter { $0 }.count
        XCTAssertTrue((10...30).contains(swaps), "a fair coin: \(swaps) of 40")
        for index in 0..<40 {
            let view = first.presentation(of: index)
            let tunedShownAsA = first.assignment.model(item: index, label: .a) == "tuned"
            XCTAssertEqual(view.a, tunedShownAsA ? "tuned says \(index)" : "base says \(index)")
            XCTAssertEqual(view.b, tunedShownAsA ? "base says \(index)" : "tuned says \(index)")
        }
    }

    func testRatingValidation() {
        var session = BlindSession(models: models, items: items(2), seed: 1)
        XCTAssertThrowsError(try session.record(BlindRating(rater: "r", item: 5, preference: .a)))
        XCTAssertThrowsError(try session.record(BlindRating(rater: "r", item: 0, preference: .a, scoresA: [1, 2], scoresB: [1, 2])))
        XCTAssertThrowsError(try session.record(BlindRating(rater: "r", item: 0, preference: .a, scoresA: [1, 2, 6], scoresB: [1, 2, 3]))) { error in
            XCTAssertEqual((error as? BlindRatingError)?.description, "completeness score 6 is outside 1-5")
        }
        XCTAssertNoThrow(try session.record(BlindRating(rater: "r", item: 0, preference: .a)))
        XCTAssertNoThrow(try session.record(BlindRating(rater: "r", item: 0, preference: .b)))
        XCTAssertEqual(session.ratings.count, 1, "a second rating of the same item replaces the first")
    }

    func testUnblindingTwoRaters() throws {
        var session = BlindSession(models: models, items: items(4), seed: 1)
        // r1 prefers tuned, tuned, tie, base; r2 tuned, base, tie, base.
        // r1 scores tuned (5,4,4) and base (3,4,2); r2 tuned (4,4,5) and base (4,4,2).
        let r1: [String?] = ["tuned", "tuned", nil, "base"]
        let r2: [String?] = ["tuned", "base", nil, "base"]
        for (rater, prefs, tunedScores, baseScores) in [("r1", r1, [5, 4, 4], [3, 4, 2]), ("r2", r2, [4, 4, 5], [4, 4, 2])] {
            for item in 0..<4 {
                let tunedIsA = session.assignment.model(item: item, label: .a) == "tuned"
                try session.record(BlindRating(rater: rater, item: item, preference: side(session, item, prefers: prefs[item]),
                                               scoresA: tunedIsA ? tunedScores : baseScores,
                                               scoresB: tunedIsA ? baseScores : tunedScores))
            }
        }
        let result = session.unblind()
        XCTAssertEqual([result.wins, result.losses, result.ties], [3, 3, 2])
        // Item scores for tuned: (1+1)/2, (1+0)/2, (½+½)/2, (0+0)/2 = 1, ½, ½, 0 → win rate ½ over n = 4.
        // Wilson: z²/n = 0.960365, centre ½, half = 1.959964/1.960365 · √(0.25/4 + 3.841459/64)
        //       = 0.999795 · 0.350033 = 0.349961 → [0.150039, 0.849961]
        XCTAssertEqual(result.winRate!, 0.5, accuracy: 1e-12)
        XCTAssertEqual(result.winRateInterval!.lower, 0.150039, accuracy: 1e-5)
        XCTAssertEqual(result.winRateInterval!.upper, 0.849961, accuracy: 1e-5)
        XCTAssertEqual(result.decisiveWinRate!, 0.5, accuracy: 1e-12)
        // Means: accuracy base (3+4)/2, tuned (5+4)/2; tone 4, 4; completeness 2, 4.5.
        XCTAssertEqual(result.criteria.map(\.means), [[3.5, 4.5], [4, 4], [2, 4.5]])
        // Cohen on preferences: labels r1 [tuned, tuned, tie, base], r2 [tuned, base, tie, base]
        // pₒ = 3/4; marginals r1 (tuned ½, tie ¼, base ¼), r2 (tuned ¼, tie ¼, base ½)
        // pₑ = ½·¼ + ¼·¼ + ¼·½ = 0.3125; κ = (0.75 − 0.3125)/0.6875 = 7/11
        XCTAssertEqual(result.preferenceAgreement?.statistic, "cohen")
        XCTAssertEqual(result.preferenceAgreement!.kappa!, 7.0 / 11, accuracy: 1e-12)
        // Scores: accuracy r1 (base 3, tuned 5) vs r2 (4, 4): pₒ = 0, pₑ = 0 → κ = 0; tone all 4 → undefined.
        XCTAssertEqual(result.scoreAgreement.map(\.on), ["accuracy", "tone", "completeness"])
        XCTAssertEqual(result.scoreAgreement[0].kappa!, 0, accuracy: 1e-12)
        XCTAssertEqual(result.scoreAgreement[0].subjects, 8)
        XCTAssertNil(result.scoreAgreement[1].kappa)
        XCTAssertEqual(result.warnings, ["Only 4 items rated: the guide asks for at least 100 before trusting a win rate."])
        XCTAssertTrue(result.text.hasPrefix("""
        blind comparison: tuned vs base, 4 items, 8 ratings, 2 raters
          tuned win rate 50.0% (95% CI 15.0%-85.0%); wins 3, losses 3, ties 2
          accuracy: base 3.5, tuned 4.5
        """), result.text)
    }

    /// One rater prefers tuned on all 80 items, the other on 79 with one tie: they agree on
    /// 79/80 = 98.75%, and chance alone gives (80/80)(79/80) = 98.75%, so κ = 0 exactly. The
    /// warning names the kappa paradox instead of calling the raters inconsistent.
    func testKappaParadoxIsExplainedNotReportedAsDisagreement() throws {
        var session = BlindSession(models: models, items: items(80), rubric: Rubric(names: []), seed: 5)
        for item in 0..<80 {
            try session.record(BlindRating(rater: "r1", item: item, preference: side(session, item, prefers: "tuned")))
            try session.record(BlindRating(rater: "r2", item: item, preference: side(session, item, prefers: item == 30 ? nil : "tuned")))
        }
        let result = session.unblind()
        let figure = try XCTUnwrap(result.preferenceAgreement)
        XCTAssertEqual(figure.kappa!, 0, accuracy: 1e-12)
        XCTAssertEqual(figure.observed!, 79.0 / 80, accuracy: 1e-12)
        XCTAssertEqual(figure.chance!, 79.0 / 80, accuracy: 1e-12)
        XCTAssertTrue(figure.lowKappaFromPrevalence)
        XCTAssertEqual(result.warnings.count, 2, "\(result.warnings)")
        XCTAssertTrue(result.warnings[1].contains("although the raters agree on 98.8% of items"), result.warnings[1])
        XCTAssertTrue(result.warnings[1].contains("kappa paradox"), result.warnings[1])
        XCTAssertFalse(result.warnings[1].contains("barely agree"))
        // Real disagreement at low prevalence keeps the old reading, with the raw figures.
        var split = BlindSession(models: models, items: items(20), rubric: Rubric(names: []), seed: 5)
        for item in 0..<20 {
            try split.record(BlindRating(rater: "r1", item: item, preference: side(split, item, prefers: item % 2 == 0 ? "tuned" : "base")))
            try split.record(BlindRating(rater: "r2", item: item, preference: side(split, item, prefers: item % 4 < 2 ? "tuned" : "base")))
        }
        let disagreeing = split.unblind()
        XCTAssertFalse(disagreeing.preferenceAgreement!.lowKappaFromPrevalence)
        XCTAssertTrue(disagreeing.warnings.contains { $0.hasPrefix("Raters barely agree on preferences (κ = 0") && $0.contains("; they agree on 50.0% of items, chance alone gives 50.0%)") },
                      "\(disagreeing.warnings)")
    }

    func testThreeRatersUseFleissAndHundredItemsNoWarning() throws {
        var session = BlindSession(models: models, items: items(100), rubric: Rubric(names: ["helpfulness"]), seed: 9)
        for item in 0..<100 {
            for rater in ["ann", "bo", "cy"] {
                // Everyone prefers tuned on items 0..<70 and base on the rest.
                try session.record(BlindRating(rater: rater, item: item,
                                               preference: side(session, item, prefers: item < 70 ? "tuned" : "base")))
            }
        }
        let result = session.unblind()
        XCTAssertEqual(result.preferenceAgreement?.statistic, "fleiss")
        XCTAssertEqual(result.preferenceAgreement!.kappa!, 1, accuracy: 1e-12)
        XCTAssertEqual(result.winRate!, 0.7, accuracy: 1e-12)
        XCTAssertEqual(result.warnings, [])
        XCTAssertEqual(result.criteria.map(\.means), [[nil, nil]])
        XCTAssertEqual(result.scoreAgreement, [])
        let data = try JSONEncoder().encode(session)
        XCTAssertEqual(try JSONDecoder().decode(BlindSession.self, from: data), session)
    }
}
