import Essentials
import Foundation
import XCTest
@testable import Evaluation

/// The learning-rate warning judged by the run, and the not-decreasing and plateau detectors on
/// the short runs teaching notebooks use: each warning fires on a constructed curve that shows
/// its sign and stays quiet on the complement; the quickstart's recorded run gets only warnings
/// its own curve supports.
final class LearningRateEvidenceTests: XCTestCase {
    /// SmolLM2-135M's parameter count.
    static let smolLM2 = 134_515_008

    /// LoRA at `lr` (constant) on a 135M model for a planned `steps`-step run, fed `losses`.
    func lora(_ lr: Double, _ losses: [Double], steps: Int? = nil, val: [Int: Double] = [:]) -> [TrainingWarning] {
        let detector = LearningRateRangeDetector(method: .lora, peakLearningRate: lr, parameterCount: Self.smolLM2,
                                                 plannedSteps: steps ?? losses.count)
        let records = losses.enumerated().map { index, loss in
            var record = MetricRecord(step: index + 1, loss: loss, lr: lr)
            record.valLoss = val[index + 1]
            return record
        }
        return feed(detector, records)
    }

    /// `count` losses from `start` falling linearly by `drop` in all, with N(0, `noise`²) noise.
    func falling(_ count: Int, from start: Double, drop: Double, noise: Double = 0.01, seed: UInt64 = 3) -> [Double] {
        var gaussian = Noise(seed: seed)
        return (0..<count).map { start - drop * Double($0) / Double(max(count - 1, 1)) + noise * gaussian.gaussian() }
    }

    // MARK: The number alone: a note naming the model class

    func testOutOfRangeRateGetsANoteNamingTheModelClassNotAPrediction() {
        let warnings = lora(1e-3, falling(40, from: 2, drop: 1))
        XCTAssertEqual(warnings.map(\.severity), [.note])
        XCTAssertEqual(warnings[0].step, 1)
        XCTAssertEqual(warnings[0].message,
                       "lr 1e-3 is above the guide's LoRA range 1e-4…3e-4, which the guide gives for 7B-class models; this is a 135M model — watching the loss for spikes or divergence.")
        XCTAssertFalse(warnings[0].message.contains("exploding"))
        let low = LearningRateRangeDetector.note(learningRate: 2e-5, method: .lora, parameterCount: 7_241_732_096)
        XCTAssertEqual(low?.message,
                       "lr 2e-5 is below the guide's LoRA range 1e-4…3e-4, which the guide gives for 7B-class models; this 7.24B model is one — watching whether the loss moves.")
        XCTAssertEqual(LearningRateRangeDetector.note(learningRate: 1e-2, method: .full)?.message,
                       "lr 0.01 is above the guide's full fine-tuning range 1e-5…5e-5, which the guide gives for 7B-class models — watching the loss for spikes or divergence.")
        XCTAssertEqual(GuideModelClass.sizeText(109_056), "109K")
        XCTAssertEqual(GuideModelClass.sizeText(Self.smolLM2), "135M")
    }

    // MARK: Too high: spikes, NaN, divergence, validation rising

    /// Loss 2 → 1.6 over 30 steps with a 2.5× spike at step 15: under the explosion detector's 3×,
    /// over this detector's 2×.
    func testTooHighEscalatesOnASpike() {
        var values = falling(30, from: 2, drop: 0.4)
        values[14] = 2.5 * values[4..<14].reduce(0, +) / 10
        let warnings = lora(1e-2, values)
        XCTAssertEqual(warnings.map(\.severity), [.note, .warning])
        XCTAssertEqual(warnings[1].step, 15)
        XCTAssertTrue(warnings[1].message.hasPrefix("lr 0.01 looks too high for this 135M model: the loss spiked to "), warnings[1].message)
        XCTAssertTrue(warnings[1].message.hasSuffix("(the guide's LoRA range is 1e-4…3e-4, for 7B-class models) — try lr=3e-3."), warnings[1].message)
        XCTAssertEqual(feed(LossExplosionDetector(), losses(values)), [], "a 2.5× spike is below the explosion detector's 3×")
        // The complement: the same rate, the same curve without the spike — the note only.
        XCTAssertEqual(lora(1e-2, falling(30, from: 2, drop: 0.4)).map(\.severity), [.note])
    }

    /// Near zero, ratios are noise: a fitted run at 0.07 with one batch at 0.17 (2.4×) is no spike,
    /// since the jump is 2% of the starting 5.5 (the floor is 10%).
    func testASpikeNearZeroIsNotEvidence() {
        var values = (1...30).map { 5.5 * Foundation.exp(-Double($0) / 4) + 0.07 }
        values[25] = 0.17
        XCTAssertEqual(lora(1e-2, values).map(\.severity), [.note])
    }

    func testTooHighEscalatesOnNaN() {
        var values = falling(20, from: 2, drop: 0.3)
        values[9] = .nan
        let warnings = lora(1e-2, values)
        XCTAssertEqual(warnings.map(\.step), [1, 10])
        XCTAssertTrue(warnings[1].message.contains("the loss became NaN at step 10"), warnings[1].message)
    }

    /// Falls 2 → 1 over 15 steps, then climbs back to 1.9 by step 40 in steps of at most 0.036
    /// (never a spike): the 8-step mean (40 planned steps → k = 8) passes 1.5× its best.
    func testTooHighEscalatesOnDivergence() {
        let values: [Double] = (1...40).map { (s: Int) -> Double in
            let t = Double(s)
            return s <= 15 ? 2 - (t - 1) / 14 : 1 + 0.9 * (t - 15) / 25
        }
        let warnings = lora(1e-2, values)
        XCTAssertEqual(warnings.map(\.severity), [.note, .warning])
        XCTAssertTrue(warnings[1].message.contains("the loss is diverging: its mean over steps "), warnings[1].message)
        // The best 8-step mean is steps 13-20 (1.094); the mean of steps t-7…t is 1 + 0.036·(t − 18.5),
        // which first reaches 1.5 × 1.094 = 1.641 at t = 37.
        XCTAssertEqual(warnings[1].step, 37)
        XCTAssertTrue(warnings[1].message.contains("the lowest 8-step mean, 1.09 over steps 13-20"), warnings[1].message)
        XCTAssertEqual(feed(LossExplosionDetector(), losses(values)), [])
        // The complement: falls and stays down.
        let settled: [Double] = (1...40).map { (s: Int) -> Double in s <= 15 ? 2 - Double(s - 1) / 14 : 1 }
        XCTAssertEqual(lora(1e-2, settled).map(\.severity), [.note])
    }

    /// The real run of lr 2e-2 on the quickstart's setup (learning-rate.attune.md, 10 steps): down
    /// to 1.23 at step 2, then wandering between 1.3 and 3.8 — no 2× spike, no 1.5× rise over its
    /// best 5-step mean, but steps 6-10 average 2.27 against a start of 2.04. Its complement came
    /// down and stays down (2e-3's seed 1 curve shape: below the start after step 2).
    func testTooHighEscalatesWhenTheLossIsBackWhereItStarted() {
        let real = [1.8435, 1.2308, 3.0392, 3.0747, 2.7466, 3.8219, 2.3194, 1.3388, 1.6794, 2.2029]
        let warnings = lora(2e-2, real)
        XCTAssertEqual(warnings.map(\.severity), [.note, .warning])
        XCTAssertEqual(warnings.last?.step, 10)
        XCTAssertTrue(warnings.last?.message.contains("the loss is back where it started: its mean over steps 6-10 is 2.27, at or above 2.04, the mean of the run's first 3 steps") == true,
                      warnings.last?.message ?? "")
        let staysDown = [1.8435, 1.2308, 1.1, 0.9, 1.2, 0.8, 0.95, 0.7, 0.85, 0.75]
        XCTAssertEqual(lora(2e-2, staysDown).map(\.severity), [.note])
        // Never down in the first place (flat): not this sign (the validation check below judges it).
        XCTAssertEqual(lora(2e-2, Array(repeating: 1.5, count: 10)).map(\.severity), [.note])
    }

    /// Training flat at 1.5, validation 1.2 → 1.3 (+8%): the rate, not overfitting. Validation
    /// rising while training falls is overfitting's sign and stays the overfitting detector's.
    func testTooHighEscalatesOnValidationRisingWhileTrainingDoesNot() {
        let flat = Array(repeating: 1.5, count: 30)
        let warnings = lora(1e-2, flat, val: [10: 1.2, 20: 1.3])
        XCTAssertEqual(warnings.map(\.step), [1, 20])
        XCTAssertTrue(warnings[1].message.contains("the validation loss rose from 1.2 at step 10 to 1.3 at step 20 while the training loss did not fall"),
                      warnings[1].message)
        let overfitting = lora(1e-2, falling(30, from: 1.5, drop: 0.5), val: [10: 1.2, 20: 1.3])
        XCTAssertEqual(overfitting.map(\.severity), [.note])
    }

    func testInsideTheRangeNothingAtAllEvenOnBadCurves() {
        var values = falling(30, from: 2, drop: 0.4)
        values[14] = 9
        XCTAssertEqual(lora(2e-4, values), [])
        XCTAssertEqual(lora(1e-4, Array(repeating: 2, count: 30)), [])
    }

    // MARK: Too low: the loss not moving at the peak rate

    /// 2e-5, loss 2.0 → 1.97 (−1.5%) with noise 0.01: over the first N = 20 records (40 planned
    /// steps) the mean of the last 5 is far less than 10% below the first 5.
    func testTooLowEscalatesWhenTheLossDoesNotMove() {
        let warnings = lora(2e-5, falling(40, from: 2, drop: 0.03), steps: 40)
        XCTAssertEqual(warnings.map(\.severity), [.note, .warning])
        XCTAssertEqual(warnings[1].step, 20)
        XCTAssertTrue(warnings[1].message.hasPrefix("lr 2e-5 looks too low for this 135M model: over steps 1-20 at the peak rate the loss fell only "),
                      warnings[1].message)
        XCTAssertTrue(warnings[1].message.hasSuffix("— try lr=6e-5."), warnings[1].message)
        // The complement: the same low rate, but the loss falls 2 → 1 in 40 steps (19% over the
        // first 20): a note only.
        XCTAssertEqual(lora(2e-5, falling(40, from: 2, drop: 1), steps: 40).map(\.severity), [.note])
    }

    /// A 20-step run (as notebooks use) is judged at step 10; warmup steps below half the peak
    /// are not counted, and a cosine decay past half the peak ends the window early.
    func testTooLowOnAShortRunCountsOnlyStepsNearThePeak() {
        let peak = 2e-5
        // Warmup 4 steps, constant after; planned 20 → N = 10 records at ≥ half the peak.
        let records = (1...20).map { s in
            MetricRecord(step: s, loss: 2 - 0.001 * Double(s), lr: peak * min(1, Double(s) / 4))
        }
        let warnings = feed(LearningRateRangeDetector(method: .lora, peakLearningRate: peak, plannedSteps: 20), records)
        XCTAssertEqual(warnings.map(\.step), [1, 11], "steps 2-11 are the ten at ≥ half the peak")
        XCTAssertTrue(warnings[1].message.contains("for this run: over steps 2-11"), warnings[1].message)
    }

    // MARK: Short runs: not decreasing and plateau scale with the run

    func testNotDecreasingFiresOnATwentyStepRun() {
        let flat = falling(20, from: 2, drop: 0.02)
        XCTAssertEqual(feed(LossNotDecreasingDetector(), losses(flat)), [], "the default patience (30) never judges 20 steps")
        let warnings = feed(LossNotDecreasingDetector(plannedSteps: 20), losses(flat))
        XCTAssertEqual(warnings.map(\.step), [10])
        XCTAssertEqual(feed(LossNotDecreasingDetector(plannedSteps: 20), losses(falling(20, from: 2, drop: 0.6))), [])
        // Judged at step 10, the bar is the default's pace (5% per 30 steps): 1.7%. The tiny model's
        // LoRA run at lr 0.01 (learning-rate notebook) moves 2.0% (5.45 → 5.33 between the 5-step
        // means); a curve doing the same (5.5 falling 0.45 over 20 steps: 2.1%) passes.
        XCTAssertEqual(feed(LossNotDecreasingDetector(plannedSteps: 20), losses(falling(20, from: 5.5, drop: 0.45, noise: 0.005))), [])
        // A loss that climbed far above its start has not "barely moved": no advice to raise the rate.
        let diverged = (1...15).map { 5.6 * Foundation.pow(1.5, Double($0 - 1)) }
        XCTAssertEqual(feed(LossNotDecreasingDetector(plannedSteps: 15), losses(diverged)), [])
    }

    /// 3 → 1.5 in 10 steps, then flat at 1.5 ± 0.02 to step 40: window 20, edge 4.
    func testPlateauFiresOnAFortyStepRun() {
        var noise = Noise(seed: 11)
        var values: [Double] = []
        for s in 1...40 {
            let clean: Double = s <= 10 ? 3 - 1.5 * Double(s - 1) / 9 : 1.5
            values.append(clean + 0.02 * noise.gaussian())
        }
        XCTAssertEqual(feed(PlateauDetector(), losses(values)), [], "the default 50-step window never fills")
        let warnings = feed(PlateauDetector(plannedSteps: 40), losses(values))
        XCTAssertEqual(warnings.count, 1)
        XCTAssertEqual(warnings.first?.kind, .plateau)
        // The window's start must be past the fall (steps ≥ 10): first full flat window ends at 29.
        XCTAssertGreaterThanOrEqual(warnings.first?.step ?? 0, 29)
        XCTAssertLessThanOrEqual(warnings.first?.step ?? 99, 32)
        // The complement: still falling (3 → 2 over 40 steps, 17% per 20-step window).
        XCTAssertEqual(feed(PlateauDetector(plannedSteps: 40), losses(falling(40, from: 3, drop: 1))), [])
    }

    /// A long flat stretch whose noise crosses the hysteresis band is one plateau; a second drop
    /// to a lower level is a second one. 3 → 1 in 10 steps, flat at 1 ± 0.08 to step 120, then
    /// 0.5 from step 140 on (window 40 for 80 planned steps).
    func testPlateauIsReportedOncePerLevel() {
        var noise = Noise(seed: 5)
        var values: [Double] = []
        for s in 1...240 {
            let clean: Double = s <= 10 ? 3 - 2 * Double(s - 1) / 9 : s <= 120 ? 1 : s < 140 ? 1 - 0.5 * Double(s - 120) / 20 : 0.5
            values.append(clean * (1 + 0.08 * noise.gaussian()))
        }
        let warnings = feed(PlateauDetector(plannedSteps: 80), losses(values))
        let levels = warnings.map { $0.evidence[1].value }
        XCTAssertEqual(warnings.count, 2, warnings.map(\.message).joined(separator: "\n"))
        XCTAssertEqual(levels.first ?? 0, 1, accuracy: 0.1)
        XCTAssertEqual(levels.last ?? 0, 0.5, accuracy: 0.05)
    }

    // MARK: The quickstart's recorded run

    /// The quickstart's `train` cell as recorded in Notebooks/quickstart.attune.md: LoRA r=16 on
    /// SmolLM2-135M, lr 1e-3 (cosine, warmup 2), batch 4, 40 steps — (step, loss, lr).
    static let quickstart: [(step: Int, loss: Double, lr: Double)] = [
        (1, 1.8435, 0),
        (2, 1.8393, 0.0005),
        (3, 1.6182, 0.001),
        (4, 1.3167, 0.000998),
        (5, 1.4178, 0.000993),
        (6, 1.3461, 0.000985),
        (7, 1.0156, 0.000973),
        (8, 1.0019, 0.000958),
        (9, 0.6335, 0.00094),
        (10, 0.6989, 0.000919),
        (11, 1.0902, 0.000895),
        (12, 1.0944, 0.000868),
        (13, 0.9315, 0.000839),
        (14, 0.3780, 0.000807),
        (15, 0.7073, 0.000773),
        (16, 0.4452, 0.000738),
        (17, 0.9746, 0.000701),
        (18, 0.8657, 0.000662),
        (19, 0.7630, 0.000623),
        (20, 0.8520, 0.000582),
        (21, 0.6841, 0.000541),
        (22, 1.2275, 0.0005),
        (23, 0.7747, 0.000459),
        (24, 0.6434, 0.000418),
        (25, 0.6521, 0.000377),
        (26, 0.9772, 0.000338),
        (27, 0.6049, 0.000299),
        (28, 0.5069, 0.000262),
        (29, 0.6360, 0.000227),
        (30, 0.6928, 0.000193),
        (31, 0.7428, 0.000161),
        (32, 1.0904, 0.000132),
        (33, 0.8708, 0.000105),
        (34, 0.6991, 8.14e-05),
        (35, 1.0633, 6.03e-05),
        (36, 0.6916, 4.21e-05),
        (37, 0.6098, 2.71e-05),
        (38, 0.6131, 1.53e-05),
        (39, 0.5063, 6.82e-06),
        (40, 0.5074, 1.71e-06)
    ]

    /// The run trains well (1.84 → 0.51, tuned 71/80 schema-valid), so the rate 3× above LoRA's
    /// range gets the note only; no spike (peak 1.6× the 10-step mean), no divergence (8-step
    /// mean ≤ 1.2× its best), no stall. What does fire is what the curve shows: it swings (0.38 to
    /// 1.84 within 20 steps at batch 4), and it is flat from about step 10 until the cosine decay
    /// takes the rate down (steps 13-32 within 0.38-1.23, the end means 0.92 → 0.79).
    func testQuickstartGetsOnlyWarningsItsCurveSupports() {
        let records = Self.quickstart.map { MetricRecord(step: $0.step, loss: $0.loss, lr: $0.lr) }
        var monitor = TrainingMonitor(method: .lora, peakLearningRate: 1e-3, parameterCount: Self.smolLM2, plannedSteps: 40)
        let warnings = monitor.observe(records)
        let lrWarnings = warnings.filter { $0.kind == .learningRateOutOfRange }
        XCTAssertEqual(lrWarnings.map(\.severity), [.note], lrWarnings.map(\.message).joined(separator: "\n"))
        XCTAssertFalse(warnings.contains { $0.message.contains("exploding") || $0.kind == .lossExploding || $0.kind == .lossNotDecreasing },
                       warnings.map(\.message).joined(separator: "\n"))
        for warning in warnings where warning.kind == .plateau {
            // The plateau's window really is flat: its end mean no lower than 1% below its start.
            let start = warning.evidence[0].value, end = warning.evidence[1].value
            XCTAssertLessThan((start - end) / start, 0.01)
        }
        XCTAssertEqual(warnings.map(\.kind), [.learningRateOutOfRange, .lossOscillating, .plateau],
                       warnings.map(\.message).joined(separator: "\n"))
    }
}
