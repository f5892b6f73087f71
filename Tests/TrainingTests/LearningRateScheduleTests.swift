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

    /// transformers' `get_cosine_with_min_lr_schedule_with_warmup`: the cosine factor is rescaled to
    /// end at `min_lr / lr`; warmup still starts at 0.
    func testCosineDecaysToTheFloor() {
        let s = LearningRateSchedule(kind: .cosine, baseLearningRate: 2e-4, warmupSteps: 10, totalSteps: 110, minimumLearningRate: 2e-5)
        XCTAssertEqual(s.lr(at: 0), 0)
        XCTAssertEqual(s.lr(at: 5), 1e-4, accuracy: 1e-18)
        XCTAssertEqual(s.lr(at: 10), 2e-4, accuracy: 1e-18)
        // Past N the half-wave turns up again, as in transformers (and as without a floor).
        for step in [10, 23, 60, 97, 110, 130] {
            let progress = Double(step - 10) / 100
            let cosine = max(0, 0.5 * (1 + cos(Double.pi * 0.5 * 2 * progress)))
            XCTAssertEqual(s.lr(at: step), 2e-4 * (cosine * (1 - 0.1) + 0.1), accuracy: 1e-18, "step \(step)")
            XCTAssertGreaterThanOrEqual(s.lr(at: step), 2e-5 * (1 - 1e-12), "never below the floor after warmup (step \(step))")
        }
        XCTAssertEqual(s.lr(at: 60), 1.1e-4, accuracy: 1e-15, "half way: the mean of peak and floor")
        XCTAssertEqual(s.lr(at: 110), 2e-5, accuracy: 1e-18)
    }

    func testLinearDecaysToTheFloor() {
        let s = LearningRateSchedule(kind: .linear, baseLearningRate: 1e-3, warmupSteps: 4, totalSteps: 20, minimumLearningRate: 1e-4)
        XCTAssertEqual(s.values(steps: 0..<5), [0, 2.5e-4, 5e-4, 7.5e-4, 1e-3])
        for step in [4, 9, 12, 19, 20, 25] {
            XCTAssertEqual(s.lr(at: step), 1e-4 + 9e-4 * max(0, Double(20 - step) / 16), accuracy: 1e-18, "step \(step)")
        }
        XCTAssertEqual(s.lr(at: 20), 1e-4, accuracy: 1e-18)
    }

    /// No floor is the old schedule bit for bit (recorded notebooks keep their numbers).
    func testAZeroFloorChangesNoBit() {
        for kind in LearningRateSchedule.Kind.allCases {
            let plain = LearningRateSchedule(kind: kind, baseLearningRate: 3e-4, warmupSteps: 3, totalSteps: 37)
            for step in 0..<45 {
                let w = 3, n = 37, base = 3e-4
                let f: Double
                if step < w { f = Double(step) / Double(w) } else {
                    switch kind {
                    case .constant: f = 1
                    case .linear: f = max(0, Double(n - step) / Double(n - w))
                    case .cosine:
                        let progress = Double(step - w) / Double(n - w)
                        f = max(0, 0.5 * (1 + cos(Double.pi * 0.5 * 2 * progress)))
                    }
                }
                XCTAssertEqual(plain.lr(at: step).bitPattern, (base * f).bitPattern, "\(kind) step \(step)")
            }
        }
    }

    func testConstantIgnoresTheFloorAndOldEncodingsDecode() throws {
        let s = LearningRateSchedule(kind: .constant, baseLearningRate: 0.5, warmupSteps: 0, minimumLearningRate: 0.1)
        XCTAssertEqual(s.values(steps: 0..<3), [0.5, 0.5, 0.5])
        let old = #"{"kind":"cosine","baseLearningRate":0.001,"warmupSteps":2,"totalSteps":10,"cycles":0.5}"#
        let decoded = try JSONDecoder().decode(LearningRateSchedule.self, from: Data(old.utf8))
        XCTAssertEqual(decoded, LearningRateSchedule(kind: .cosine, baseLearningRate: 1e-3, warmupSteps: 2, totalSteps: 10))
        let floored = LearningRateSchedule(kind: .linear, baseLearningRate: 1e-3, totalSteps: 10, minimumLearningRate: 1e-4)
        XCTAssertEqual(try JSONDecoder().decode(LearningRateSchedule.self, from: JSONEncoder().encode(floored)), floored)
    }
}
