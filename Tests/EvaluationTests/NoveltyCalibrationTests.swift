import Essentials
@testable import Evaluation
import Foundation
import XCTest

/// The novelty score's percentile math and calibration, on hand-worked values, and its
/// false-alarm rate on held-out draws from the calibration's distribution.
final class NoveltyCalibrationTests: XCTestCase {
    func testPercentileIsTheShareStrictlyBelow() {
        let p = EmpiricalPercentile([30, 10, 40, 20, .nan])
        XCTAssertEqual(p.sorted, [10, 20, 30, 40])
        XCTAssertEqual(p.share(below: 10), 0)
        XCTAssertEqual(p.share(below: 15), 0.25)
        XCTAssertEqual(p.share(below: 40), 0.75, "the largest calibration value is not beyond the calibration")
        XCTAssertEqual(p.share(below: 41), 1)
        XCTAssertEqual(p.share(below: .nan), 1)
        XCTAssertEqual(EmpiricalPercentile([2, 2, 2]).share(below: 2), 0, "ties sit at the share below them")
        XCTAssertEqual(EmpiricalPercentile([]).share(below: 5), 0)
    }

    /// Perplexities 10, 20, 30, 40 paired with distances 0.1, 0.5, 0.2, 0.9:
    /// F_p = 0, ¼, ½, ¾ and F_d = 0, ½, ¼, ¾, so the scores are 0, ½, ½, ¾. A 25% target allows
    /// ⌊0.25·4⌋ = 1 flag: the threshold is the 3rd smallest score, ½, and only ¾ exceeds it.
    func testThresholdOnAHandWorkedSet() throws {
        let c = try NoveltyCalibration(perplexities: [10, 20, 30, 40], distances: [0.1, 0.5, 0.2, 0.9], falseAlarmTarget: 0.25)
        XCTAssertEqual(c.threshold, 0.5)
        XCTAssertEqual(c.flagged, 1)
        XCTAssertEqual(c.calibrationRate, 0.25)
        XCTAssertEqual(c.score(perplexity: 35, distance: 0.05), 0.75)
        XCTAssertTrue(c.isNovel(c.score(perplexity: 35, distance: 0.05)))
        XCTAssertEqual(c.score(perplexity: 15, distance: 0.3), 0.5)
        XCTAssertFalse(c.isNovel(0.5), "novel means above the threshold, not at it")
        XCTAssertEqual(c.score(perplexity: 50, distance: 0), 1, "beyond every calibration perplexity")
        XCTAssertEqual(c.score(perplexity: nil, distance: 0), 1, "no text: no perplexity")
        XCTAssertTrue(c.isNovel(0.6, threshold: 0.55))
        XCTAssertFalse(c.isNovel(0.6, threshold: 0.7))
        // Wilson 95% for 1 of 4: centre (¼ + z²/8)/(1 + z²/4) = 0.3725, half-width 0.3269.
        XCTAssertEqual(c.interval!.lower, 0.0456, accuracy: 1e-4)
        XCTAssertEqual(c.interval!.upper, 0.6994, accuracy: 1e-4)
        XCTAssertEqual(c.summary, "threshold 0.5 · 1 of 4 calibration examples flagged (25.0%, 95% CI 4.6%–69.9%) for a 25.0% target")

        // A 10% target allows no flag of 4: the threshold is the largest score.
        let strict = try NoveltyCalibration(perplexities: [10, 20, 30, 40], distances: [0.1, 0.5, 0.2, 0.9], falseAlarmTarget: 0.1)
        XCTAssertEqual(strict.threshold, 0.75)
        XCTAssertEqual(strict.flagged, 0)
    }

    func testAConstantMeasureStillFlagsWhatExceedsIt() throws {
        let c = try NoveltyCalibration(perplexities: [5, 5, 5, 5], distances: [0.2, 0.2, 0.2, 0.2], falseAlarmTarget: 0.05)
        XCTAssertEqual(c.threshold, 0)
        XCTAssertEqual(c.flagged, 0)
        XCTAssertFalse(c.isNovel(c.score(perplexity: 5, distance: 0.2)))
        XCTAssertTrue(c.isNovel(c.score(perplexity: 5.1, distance: 0.2)))
        XCTAssertTrue(c.isNovel(c.score(perplexity: 4, distance: 0.7)))
    }

    func testBadCalibrationInput() {
        XCTAssertThrowsError(try NoveltyCalibration(perplexities: [], distances: [], falseAlarmTarget: 0.05))
        XCTAssertThrowsError(try NoveltyCalibration(perplexities: [1, 2], distances: [0.1], falseAlarmTarget: 0.05))
        XCTAssertThrowsError(try NoveltyCalibration(perplexities: [1], distances: [0.1], falseAlarmTarget: 0)) { error in
            XCTAssertEqual("\(error)", "the false-alarm rate must be between 0 and 1, such as 5% or 0.05 (got 0.0)")
        }
        XCTAssertThrowsError(try NoveltyCalibration(perplexities: [1], distances: [0.1], falseAlarmTarget: 1))
    }

    /// Draws (perplexity, distance) pairs from one distribution (correlated, as both grow with how
    /// unusual a text is): calibrated on 1,000 at 5%, the share of 4,000 further draws flagged must
    /// lie within the calibration's 95% Wilson interval, and that share's own interval must hold 5%.
    func testFalseAlarmRateOnHeldOutDrawsIsWithinItsBound() throws {
        var generator = SplitMix64(seed: 23)
        func draw() -> (Double, Double) {
            let unusual = generator.nextUnit()
            let perplexity = Foundation.exp(2 + 1.5 * unusual + 0.8 * generator.nextUnit())
            let distance = min(1, 0.3 + 0.4 * unusual + 0.3 * generator.nextUnit())
            return (perplexity, distance)
        }
        let calibration = (0..<1000).map { _ in draw() }
        let c = try NoveltyCalibration(perplexities: calibration.map(\.0), distances: calibration.map(\.1), falseAlarmTarget: 0.05)
        // At most ⌊0.05·1000⌋ = 50; a score is a multiple of 1/1000, so two examples can share the
        // threshold's score (one through each measure) and leave fewer flagged.
        XCTAssertLessThanOrEqual(c.flagged, 50)
        XCTAssertGreaterThanOrEqual(c.flagged, 45)
        let heldOut = (0..<4000).map { _ in draw() }
        let flagged = heldOut.filter { c.isNovel(c.score(perplexity: $0.0, distance: $0.1)) }.count
        let rate = Double(flagged) / 4000
        let bound = try XCTUnwrap(c.interval)
        XCTAssertTrue(bound.lower...bound.upper ~= rate, "held-out false-alarm rate \(rate) outside \(bound)")
        let own = try XCTUnwrap(WilsonInterval(successes: Double(flagged), trials: 4000))
        XCTAssertTrue(own.lower...own.upper ~= 0.05, "5% outside the held-out interval \(own) (rate \(rate))")
        // Out of distribution: larger perplexities and distances score 1.
        XCTAssertEqual(c.score(perplexity: 500, distance: 0.99), 1)
    }

    func testJSONRoundTripAndBadFiles() throws {
        let c = try NoveltyCalibration(perplexities: [10.25, 20, 30, 40], distances: [0.1, 0.5, 0.2, 0.9], falseAlarmTarget: 0.25,
                                       setName: "val", referenceName: "train", modelName: "tiny",
                                       referenceSignatures: [[0, 1, 0xffff_ffff], [0xdead_beef, 7, 42]])
        let text = c.json.text(.minimal)
        XCTAssertTrue(text.contains("\"reference_signatures\":[\"0000000000000001ffffffff\",\"deadbeef000000070000002a\"]"), text)
        XCTAssertEqual(try NoveltyCalibration(json: text), c)
        XCTAssertThrowsError(try NoveltyCalibration(json: "{\"a\": 1}")) { error in
            XCTAssertTrue("\(error)".contains("not a novelty calibration"), "\(error)")
        }
        XCTAssertThrowsError(try NoveltyCalibration(json: "not json"))
        let badCount = text.replacingOccurrences(of: "\"count\":4", with: "\"count\":5")
        XCTAssertThrowsError(try NoveltyCalibration(json: badCount)) { error in
            XCTAssertTrue("\(error)".contains("'count' is 5.0 but the file holds 4 perplexities"), "\(error)")
        }
        let badHex = text.replacingOccurrences(of: "deadbeef", with: "deadbeeg")
        XCTAssertThrowsError(try NoveltyCalibration(json: badHex)) { error in
            XCTAssertEqual("\(error)", "'reference_signatures'[1] is not a signature (8 hexadecimal digits per entry)")
        }
    }
}
