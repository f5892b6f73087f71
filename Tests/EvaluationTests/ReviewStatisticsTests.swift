import XCTest
@testable import Evaluation

/// Kappa against published worked examples, the stratified sample, and the review's intervals.
final class ReviewStatisticsTests: XCTestCase {
    /// Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological
    /// Bulletin 76(5), 378–382, Table 1: 30 patients, 6 psychiatrists' diagnoses each, 5 categories
    /// (1 depression, 2 personality disorder, 3 schizophrenia, 4 neurosis, 5 other). The paper
    /// reports P̄ = .556, P̄ₑ = .220 and κ = .430.
    static let fleiss1971: [[Int]] = [
        [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
        [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
        [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
        [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
        [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
    ]

    func testFleissKappaOnFleiss1971TableOne() throws {
        // Hand-worked: Σᵢⱼ nᵢⱼ² = 680, so P̄ = (680 − 30·6)/(30·6·5) = 500/900 = 0.5556;
        // category totals 26, 26, 30, 55, 43 of 180 → P̄ₑ = 7126/32400 = 0.21994;
        // κ = (18000 − 7126)/(32400 − 7126) = 10874/25274 = 0.43024 (the paper's .430).
        let kappa = try XCTUnwrap(Agreement.fleissKappa(labels: Self.fleiss1971))
        XCTAssertEqual(kappa, 10874.0 / 25274.0, accuracy: 1e-12)
        XCTAssertEqual(kappa, 0.430, accuracy: 0.0005)
        let counts = Self.fleiss1971.map { row in (1...5).map { category in row.filter { $0 == category }.count } }
        XCTAssertEqual(Agreement.fleissKappa(counts: counts)!, kappa, accuracy: 1e-15)
        XCTAssertEqual(Agreement.interpretation(kappa), "moderate")
    }

    func testCohensKappaOnTheGrantProposalExample() throws {
        // The worked example of Wikipedia's "Cohen's kappa" article (two readers, 50 grant
        // proposals, yes/no): both yes 20, both no 15, A yes B no 5, A no B yes 10.
        // pₒ = 35/50 = 0.7; A says yes 25/50, B 30/50: pₑ = 0.5·0.6 + 0.5·0.4 = 0.5; κ = 0.4.
        let a = Array(repeating: "yes", count: 20) + Array(repeating: "no", count: 15) + Array(repeating: "yes", count: 5) + Array(repeating: "no", count: 10)
        let b = Array(repeating: "yes", count: 20) + Array(repeating: "no", count: 15) + Array(repeating: "no", count: 5) + Array(repeating: "yes", count: 10)
        XCTAssertEqual(try XCTUnwrap(Agreement.cohensKappa(a, b)), 0.4, accuracy: 1e-12)
        // Three categories, hand-worked (100 subjects): diagonal 44, 20, 6; rater A's marginals
        // .50 .30 .20, rater B's .60 .30 .10: pₒ = .70, pₑ = .30 + .09 + .02 = .41, κ = .29/.59 = .4915.
        let table: [[Int]] = [[44, 5, 1], [7, 20, 3], [9, 5, 6]]  // per 100 subjects; rows rater A, columns rater B
        var first: [Int] = [], second: [Int] = []
        for (i, row) in table.enumerated() { for (j, n) in row.enumerated() { first += Array(repeating: i, count: n); second += Array(repeating: j, count: n) } }
        XCTAssertEqual(try XCTUnwrap(Agreement.cohensKappa(first, second)), 0.29 / 0.59, accuracy: 1e-12)
        XCTAssertEqual(Agreement.interpretation(0.29 / 0.59), "moderate")
    }

    func testLandisKochBands() {
        XCTAssertEqual([-0.1, 0, 0.19, 0.2, 0.39, 0.4, 0.6, 0.79, 0.8, 1].map(Agreement.interpretation),
                       ["worse than chance", "slight", "slight", "fair", "fair", "moderate", "substantial", "substantial", "almost perfect", "almost perfect"])
    }

    func testStratifiedAllocationByLargestRemainder() {
        // a 50, b 30, c 20, count 10: one each, then 7 by (49, 29, 19)/97: quotas 3.536, 2.093, 1.371
        // → floors 3, 2, 1 and the one left to a (largest remainder) → a 5, b 3, c 2.
        XCTAssertEqual(StratifiedSample.allocation(sizes: ["a": 50, "b": 30, "c": 20], count: 10), ["a": 5, "b": 3, "c": 2])
        // Fewer slots than categories: the largest first, ties by name.
        XCTAssertEqual(StratifiedSample.allocation(sizes: ["a": 5, "b": 3, "c": 3], count: 2), ["a": 1, "b": 1, "c": 0])
        // A rare category still gets one: x 97, y 2, z 1, count 10 → one each, then 7 by (96, 1, 0)/97:
        // quotas 6.928, 0.072, 0 → floors 6, 0, 0 and the one left to x → x 8, y 1, z 1.
        XCTAssertEqual(StratifiedSample.allocation(sizes: ["x": 97, "y": 2, "z": 1], count: 10), ["x": 8, "y": 1, "z": 1])
        XCTAssertEqual(StratifiedSample.allocation(sizes: ["a": 2, "b": 1], count: 5), ["a": 2, "b": 1])
    }

    func testStratifiedDrawIsSeededAndKeepsTheShares() {
        let categories: [String?] = Array(repeating: "a", count: 50) + Array(repeating: "b", count: 30) + Array(repeating: nil, count: 20)
        let sample = StratifiedSample.draw(categories: categories, count: 10, seed: 7)
        XCTAssertEqual(sample.count, 10)
        XCTAssertEqual(Set(sample).count, 10)
        let shares = Dictionary(grouping: sample) { categories[$0] ?? StratifiedSample.uncategorized }.mapValues(\.count)
        XCTAssertEqual(shares, ["a": 5, "b": 3, "(none)": 2])
        XCTAssertEqual(StratifiedSample.draw(categories: categories, count: 10, seed: 7), sample, "same seed, same sample")
        XCTAssertNotEqual(StratifiedSample.draw(categories: categories, count: 10, seed: 8), sample)
        XCTAssertEqual(StratifiedSample.draw(categories: categories, count: 500, seed: 7).sorted(), Array(0..<100), "every example when n exceeds them")
    }

    func testMeanIntervalAndPerCategoryWinRates() throws {
        // Scores 3, 4, 5: mean 4, s² = (1 + 0 + 1)/2 = 1, half = 1.959964·√(1/3) = 1.131586.
        let interval = try XCTUnwrap(MeanInterval(scores: [3, 4, 5]))
        XCTAssertEqual(interval.mean, 4)
        XCTAssertEqual(interval.lower, 4 - 1.959963984540054 / 3.0.squareRoot(), accuracy: 1e-12)
        XCTAssertNil(MeanInterval(scores: [4]))

        let items = (0..<4).map { BlindItem(id: "q\($0)", prompt: "p", outputs: ["base \($0)", "tuned \($0)"], category: $0 < 2 ? "x" : "y") }
        var session = BlindSession(models: ["base", "tuned"], items: items, rubric: Rubric(names: ["accuracy"]), seed: 3)
        // x: tuned wins both; y: one tie, one loss → x 100%, y 25%, overall 62.5%.
        let prefers: [String?] = ["tuned", "tuned", nil, "base"]
        for (item, model) in prefers.enumerated() {
            let preference: Preference = model.map { session.assignment.model(item: item, label: .a) == $0 ? .a : .b } ?? .tie
            let tunedIsA = session.assignment.model(item: item, label: .a) == "tuned"
            try session.record(BlindRating(rater: "r", item: item, preference: preference, scoresA: [tunedIsA ? 5 : 3], scoresB: [tunedIsA ? 3 : 5]))
        }
        let result = session.unblind()
        XCTAssertEqual(result.byCategory.map(\.category), ["x", "y"])
        XCTAssertEqual(result.byCategory.map(\.winRate), [1, 0.25])
        XCTAssertEqual(result.winRate!, 0.625, accuracy: 1e-12)
        XCTAssertEqual(result.criteria[0].means, [3, 5])
        XCTAssertEqual(result.criteria[0].counts, [4, 4])
        XCTAssertEqual(result.criteria[0].intervals[1]?.lower, 5, "no spread, no width")
    }
}
