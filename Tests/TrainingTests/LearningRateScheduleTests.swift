import Foundation
import XCTest
@testable import Training

final class LearningRateScheduleTests: XCTestCase {
    func testCosineWithWarmup() {
        let s = LearningRateSchedule(kind: .cosine, baseLearningRate: 2e-4, warmupSteps: 10, totalSteps: 110)
        XCTAssertEqual(s.lr(at: 0), 0)
        XCTAssertEqual(s.lr(at: 5), 1e-4, accuracy: 1e-18)
        XCTAssertEqual(s.lr(at: 10), 2e-4, accuracy: 1e-18)
        for step in [10, 23, 60, 97, 110, 130] {
            let progress = Double(step - 10) / 100
            let expected = 2e-4 * max(0, 0.5 * (1 + cos(Double.pi * 0.5 * 2 * progress)))
            XCTAssertEqual(s.lr(at: step), expected, accuracy: 1e-18, "step \(step)")
        }
        XCTAssertEqual(s.lr(at: 60), 1e-4, accuracy: 1e-15)
        XCTAssertEqual(s.lr(at: 110), 0, accuracy: 1e-18)
    }

    func testLinearWithWarmup() {
        let s = LearningRateSchedule(kind: .linear, baseLearningRate: 1e-3, warmupSteps: 4, totalSteps: 20)
        XCTAssertEqual(s.values(steps: 0..<5), [0, 2.5e-4, 5e-4, 7.5e-4, 1e-3])
        for step in [4, 9, 12, 19, 20, 25] {
            XCTAssertEqual(s.lr(at: step), 1e-3 * max(0, Double(20 - step) / 16), accuracy: 1e-18, "step \(step)")
        }
    }

    func testConstantWithAndWithoutWarmup() {
        let s = LearningRateSchedule(kind: .constant, baseLearningRate: 0.5, warmupSteps: 2)
        XCTAssertEqual(s.values(steps: 0..<5), [0, 0.25, 0.5, 0.5, 0.5])
        XCTAssertEqual(LearningRateSchedule(kind: .constant, baseLearningRate: 0.5).lr(at: 0), 0.5)
        // No warmup, linear: starts at the peak (max(1, N − W) guards the division).
        XCTAssertEqual(LearningRateSchedule(kind: .linear, baseLearningRate: 1, totalSteps: 4).values(steps: 0..<5), [1, 0.75, 0.5, 0.25, 0])
    }
}
