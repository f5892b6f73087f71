import XCTest
@testable import Evaluation

final class EarlyStoppingTests: XCTestCase {
    func testStopsAfterPatienceAndNamesBestStep() {
        var stopping = EarlyStopping(patience: 2, minimumDelta: 0.01)
        XCTAssertEqual(stopping.observe(step: 10, valLoss: 2.0), .improved(step: 10, valLoss: 2.0))
        XCTAssertEqual(stopping.observe(step: 20, valLoss: 1.8), .improved(step: 20, valLoss: 1.8))
        // 1.795 is not below 1.8 − 0.01: no improvement.
        XCTAssertEqual(stopping.observe(step: 30, valLoss: 1.795), .wait(evaluationsWithoutImprovement: 1, remaining: 1))
        XCTAssertEqual(stopping.observe(step: 40, valLoss: 1.9), .stop(bestStep: 20, bestValLoss: 1.8))
        XCTAssertTrue(stopping.shouldStop)
        XCTAssertEqual(stopping.summary,
                       "Stopped early: validation loss has not improved for 2 evaluations; best 1.8 at step 20 (restore that checkpoint).")
    }

    func testImprovementResetsTheCount() {
        var stopping = EarlyStopping(patience: 2)
        _ = stopping.observe(step: 1, valLoss: 2)
        _ = stopping.observe(step: 2, valLoss: 2.1)
        XCTAssertEqual(stopping.observe(step: 3, valLoss: 1.9), .improved(step: 3, valLoss: 1.9))
        XCTAssertEqual(stopping.observe(step: 4, valLoss: .nan), .wait(evaluationsWithoutImprovement: 1, remaining: 1))
        XCTAssertFalse(stopping.shouldStop)
        XCTAssertEqual(stopping.bestStep, 3)
    }
}
