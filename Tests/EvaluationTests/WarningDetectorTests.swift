import Essentials
import Foundation
import XCTest
@testable import Evaluation

/// Synthetic curves: deterministic Gaussian noise from a seeded generator.
struct Noise {
    var generator: SplitMix64
    init(seed: UInt64) { generator = SplitMix64(seed: seed) }
    /// Box-Muller standard normal.
    mutating func gaussian() -> Double {
        let u1 = max(generator.nextUnit(), 1e-300)
        let u2 = generator.nextUnit()
        return (-2 * Foundation.log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// A healthy run: 3·e^(−s/100) + 1 plus N(0, 0.05²) noise, lr 2e-4 with 10 warmup steps then
/// cosine decay, validation every 20 steps tracking the training curve 0.05 higher.
func healthyRun(steps: Int = 200, seed: UInt64 = 7) -> [MetricRecord] {
    var noise = Noise(seed: seed)
    var records: [MetricRecord] = []
    for step in 1...steps {
        let clean = 3 * Foundation.exp(-Double(step) / 100) + 1
        let lr = step <= 10 ? 2e-4 * Double(step) / 10
            : 2e-4 * 0.5 * (1 + cos(Double.pi * Double(step - 10) / Double(steps - 10)))
        var record = MetricRecord(step: step, loss: clean + 0.05 * noise.gaussian(), lr: lr)
        if step % 20 == 0 { record.valLoss = clean + 0.05 + 0.01 * noise.gaussian() }
        records.append(record)
    }
    return records
}

func feed<D: WarningDetector>(_ detector: D, _ records: [MetricRecord]) -> [TrainingWarning] {
    var detector = detector
    return records.compactMap { detector.observe($0) }
}

func losses(_ values: [Double], from start: Int = 1) -> [MetricRecord] {
    values.enumerated().map { MetricRecord(step: start + $0.offset, loss: $0.element) }
}

final class WarningDetectorTests: XCTestCase {
    func testHealthyNoisyDecreasingRunTriggersNothing() {
        var monitor = TrainingMonitor(method: .lora)
        let warnings = monitor.observe(healthyRun())
        XCTAssertEqual(warnings, [], warnings.map(\.message).joined(separator: "\n"))
        // Other noise seeds too.
        for seed: UInt64 in 1...5 {
            var monitor = TrainingMonitor(method: .lora)
            XCTAssertEqual(monitor.observe(healthyRun(seed: seed)).map(\.kind), [], "seed \(seed)")
        }
    }

    // MARK: Explosion

    func testExplosionNamesStepAndNumbers() {
        // 16 steps falling gently 2.5 → 2.2, then 48.2 at step 17.
        var values = (0..<16).map { 2.5 - 0.02 * Double($0) }
        values += [48.2, 60, 2.3, 2.25]
        let warnings = feed(LossExplosionDetector(), losses(values))
        XCTAssertEqual(warnings.count, 1)
        let warning = warnings[0]
        XCTAssertEqual(warning.kind, .lossExploding)
        XCTAssertEqual(warning.step, 17)
        // Reference = mean of steps 7…16 = 2.5 − 0.02·(6+…+15)/10 = 2.5 − 0.21 = 2.29.
        XCTAssertEqual(warning.evidence[0].value, 2.29, accuracy: 1e-12)
        XCTAssertEqual(warning.evidence[1], Evidence(step: 17, label: "loss", value: 48.2))
        XCTAssertEqual(warning.message,
                       "Loss exploded at step 17 (from 2.29 to 48.2): the learning rate is probably too high — try 3× lower.")
    }

    func testExplosionFiresAgainOnlyAfterRecovery() {
        let values = [2.0, 2.0, 2.0, 9, 9, 9, 2.0, 2.0, 9]
        XCTAssertEqual(feed(LossExplosionDetector(), losses(values)).map(\.step), [4, 9])
    }

    func testNaNLossIsReportedOnce() {
        let values = [2.4, 2.35, 2.31, .nan, .nan, .infinity]
        let warnings = feed(LossExplosionDetector(), losses(values))
        XCTAssertEqual(warnings.count, 1)
        XCTAssertEqual(warnings[0].step, 4)
        XCTAssertEqual(warnings[0].message,
                       "Loss became NaN at step 4 (last finite value 2.31 at step 3): the learning rate is probably too high — try 3× lower.")
    }

    /// Steps with no target tokens report a loss of exactly 0; they are no reference level, so the
    /// first real loss after them is not an explosion "from 0 to 5.41".
    func testZeroLossStepsAreNoReferenceLevel() {
        XCTAssertEqual(feed(LossExplosionDetector(), losses([0, 0, 0, 0, 5.41, 5.3, 5.2])), [])
        // A real explosion after them still fires, judged against the real losses only.
        let warnings = feed(LossExplosionDetector(), losses([0, 0, 2.0, 2.0, 0, 2.0, 9.0]))
        XCTAssertEqual(warnings.map(\.step), [7])
        XCTAssertEqual(warnings.first?.evidence.first?.value, 2.0)
    }

    /// lr 5e-2 on SmolLM2 (serve.attune.md's broken adapter): 1.84, 3.13, 14.4, 11.3. Step 3 is
    /// 5.8× the mean of the two before; a three-loss history alone would judge step 4 against a
    /// reference the explosion had already raised (11.3 < 3 × 6.47) and say nothing.
    func testAnExplosionInTheFirstStepsIsJudgedAtTheEarlyRatio() {
        let warnings = feed(LossExplosionDetector(), losses([1.8435, 3.1349, 14.4257, 11.2603]))
        XCTAssertEqual(warnings.map(\.step), [3])
        XCTAssertEqual(warnings.first?.message,
                       "Loss exploded at step 3 (from 2.49 to 14.4): the learning rate is probably too high — try 3× lower.")
        // Its complement: a rise under 5× in the first steps is not judged yet (2.4 after 1.84 at batch 4).
        XCTAssertEqual(feed(LossExplosionDetector(), losses([1.84, 2.4, 8.9, 2.0])), [])
    }

    func testNoisySpikeBelowRatioIsNotAnExplosion() {
        let values = [2.0, 2.1, 1.9, 2.0, 4.5, 2.0, 1.9]  // 4.5 < 3 × 2.0
        XCTAssertEqual(feed(LossExplosionDetector(), losses(values)), [])
    }

    // MARK: Not decreasing

    func testFlatLossFromTheStartIsNotDecreasing() {
        // Flat 2.31 with ±0.01 alternation (2.32, 2.30, …): initial mean (steps 1-5) = 2.312, recent mean
        // (steps 26-30) = 2.308; 2.308 > 0.95 · 2.312 = 2.196 → fires at step 30 (patience).
        let values = (0..<40).map { 2.31 + ($0 % 2 == 0 ? 0.01 : -0.01) }
        let warnings = feed(LossNotDecreasingDetector(), losses(values))
        XCTAssertEqual(warnings.map(\.step), [30])
        XCTAssertEqual(warnings[0].evidence.map(\.value)[0], 2.312, accuracy: 1e-9)
        XCTAssertEqual(warnings[0].evidence.map(\.value)[1], 2.308, accuracy: 1e-9)
        XCTAssertEqual(warnings[0].message,
                       "Loss has barely moved in 30 steps: 2.31 at the start, 2.31 now (−0.1%, less than the 5% drop expected by now): the learning rate may be too low or the data may have a problem — check the data, then try a 3× higher learning rate.")
    }

    /// A loss that fell, but by less than the threshold, is described as a small drop, not as "not
    /// decreased" (5.57 → 5.2916 is −4.998%: shown as −4.9%, never rounded up to the 5% bar).
    func testASmallDropIsShownAsADropJustShortOfTheBar() {
        let values = Array(repeating: 5.57, count: 5) + Array(repeating: 5.43, count: 20) + Array(repeating: 5.2916, count: 5)
        let warnings = feed(LossNotDecreasingDetector(), losses(values))
        XCTAssertEqual(warnings.map(\.step), [30])
        XCTAssertTrue(warnings[0].message.hasPrefix("Loss has barely moved in 30 steps: 5.57 at the start, 5.29 now (−4.9%, less than the 5% drop"),
                      warnings[0].message)
        XCTAssertEqual(LossNotDecreasingDetector.changeText(from: 2, to: 2.5), "+25.0%")
        XCTAssertEqual(LossNotDecreasingDetector.changeText(from: 4, to: 4), "+0.0%")
    }

    func testDecreasingLossIsNotFlagged() {
        let values = (0..<60).map { 3.0 - 0.02 * Double($0) }
        XCTAssertEqual(feed(LossNotDecreasingDetector(), losses(values)), [])
        XCTAssertEqual(feed(LossNotDecreasingDetector(), healthyRun()), [])
    }

    // MARK: Plateau

    /// Linear from 3 (step 1) to 1 (step 40), then exactly 1.
    func plateauCurve(steps: Int = 120) -> [Double] {
        (1...steps).map { (step: Int) -> Double in
            step <= 40 ? 3.0 - 2.0 * Double(step - 1) / 39.0 : 1.0
        }
    }

    func testPlateauAfterFallingIsFlagged() {
        // Window 50, edges 10. At step 88 the window is 39…88: first edge (39…48) mean =
        // (1.0513 + 9·1)/10 = 1.00513, last edge = 1 → 0.51% < 1% → fires. At step 87 the first
        // edge (38…47) = (1.1026 + 1.0513 + 8)/10 = 1.01538 → 1.5%, not yet.
        let warnings = feed(PlateauDetector(), losses(plateauCurve()))
        XCTAssertEqual(warnings.map(\.step), [88])
        XCTAssertEqual(warnings[0].evidence[0].step, 39)
        XCTAssertEqual(warnings[0].evidence[0].value, 1 + (2.0 / 39) / 10, accuracy: 1e-9)
        XCTAssertEqual(warnings[0].evidence[1].value, 1)
        XCTAssertEqual(warnings[0].message,
                       "Loss has plateaued around 1 over steps 39-88 (0.5% lower in 50 steps): the model has converged or is underfitting — stop if the outputs are good, otherwise add capacity (rank, targets) or data.")
    }

    func testPlateauIsNotClaimedForARunThatNeverFell() {
        // Flat from the start is the not-decreasing sign, not a plateau.
        XCTAssertEqual(feed(PlateauDetector(), losses(Array(repeating: 2.0, count: 100))), [])
        XCTAssertEqual(feed(PlateauDetector(), healthyRun()), [])
    }

    // MARK: Oscillation

    func testAlternatingLossIsOscillating() {
        // 1.4, 2.6, 1.4, … : 19 changes of 1.2, level 2.0 → swing ratio 0.6, every change reverses.
        let values = (0..<30).map { $0 % 2 == 0 ? 1.4 : 2.6 }
        let warnings = feed(LossOscillationDetector(), losses(values))
        XCTAssertEqual(warnings.map(\.step), [20])
        XCTAssertEqual(warnings[0].evidence[2].value, 1.2, accuracy: 1e-12)
        XCTAssertEqual(warnings[0].message,
                       "Loss is oscillating wildly over steps 1-20 (between 1.4 and 2.6, an average swing of 1.2 per step): the batch is probably too small — raise the batch or gradient accumulation.")
    }

    func testSingleSpikeAndSteadyFallAreNotOscillation() {
        var values = Array(repeating: 2.0, count: 25)
        values[10] = 12
        XCTAssertEqual(feed(LossOscillationDetector(), losses(values)), [])
        XCTAssertEqual(feed(LossOscillationDetector(), losses((0..<40).map { 4 - 0.09 * Double($0) })), [])
        XCTAssertEqual(feed(LossOscillationDetector(), healthyRun()), [])
    }

    // MARK: Overfitting

    /// Training falls 2.0 → 1.01 over 100 steps; validation every 10 steps.
    func overfittingRun(validation: [Double]) -> [MetricRecord] {
        (1...100).map { step in
            var record = MetricRecord(step: step, loss: 2.0 - 0.01 * Double(step - 1))
            if step % 10 == 0 { record.valLoss = validation[step / 10 - 1] }
            return record
        }
    }

    func testValidationRisingWhileTrainingFallsIsOverfitting() {
        let validation = [1.9, 1.8, 1.7, 1.65, 1.66, 1.72, 1.8, 1.9, 2.0, 2.1]
        let warnings = feed(OverfittingDetector(), overfittingRun(validation: validation))
        // Best 1.65 at step 40; step 50 (1.66) is within 2%; step 60 (1.72 ≥ 1.683) is the second
        // evaluation without a new best → fires at 60, once.
        XCTAssertEqual(warnings.map(\.step), [60])
        var ema = ExponentialMovingAverage(beta: 0.9)
        var smoothed: [Int: Double] = [:]
        for step in 1...60 { smoothed[step] = ema.update(2.0 - 0.01 * Double(step - 1)) }
        let evidence = warnings[0].evidence
        XCTAssertEqual(evidence[0], Evidence(step: 40, label: "val_loss", value: 1.65))
        XCTAssertEqual(evidence[1], Evidence(step: 60, label: "val_loss", value: 1.72))
        XCTAssertEqual(evidence[2].value, smoothed[40]!, accuracy: 1e-12)
        XCTAssertEqual(evidence[3].value, smoothed[60]!, accuracy: 1e-12)
        XCTAssertTrue(warnings[0].message.hasPrefix("Validation loss rose from 1.65 at step 40 to 1.72 at step 60 while training loss fell from "))
        XCTAssertTrue(warnings[0].message.hasSuffix("keep the step-40 checkpoint."))
    }

    func testValidationFallingWithTrainingIsNotOverfitting() {
        let validation = [1.9, 1.8, 1.7, 1.65, 1.66, 1.64, 1.6, 1.61, 1.62, 1.58]
        XCTAssertEqual(feed(OverfittingDetector(), overfittingRun(validation: validation)), [])
        XCTAssertEqual(feed(OverfittingDetector(), healthyRun()), [])
    }

    func testValidationRisingWithTrainingAlsoRisingIsNotOverfitting() {
        // Both rise: that is divergence, not overfitting.
        let records = (1...60).map { step -> MetricRecord in
            var record = MetricRecord(step: step, loss: 1 + 0.01 * Double(step))
            if step % 10 == 0 { record.valLoss = 1 + 0.02 * Double(step) }
            return record
        }
        XCTAssertEqual(feed(OverfittingDetector(), records), [])
    }

    // MARK: Learning rate range

    func testLearningRateAboveRangeNotesOnce() {
        let records = (1...30).map { MetricRecord(step: $0, loss: 2, lr: 1e-3 * min(1, Double($0) / 5)) }
        let warnings = feed(LearningRateRangeDetector(method: .lora), records)
        // Warmup 2e-4, 4e-4 (step 2 is the first above 3e-4); a flat loss is no evidence of a rate too high.
        XCTAssertEqual(warnings.map(\.step), [2])
        XCTAssertEqual(warnings[0].severity, .note)
        XCTAssertEqual(warnings[0].evidence, [Evidence(step: 2, label: "peak_lr", value: 4e-4)])
        XCTAssertEqual(LearningRateRangeDetector.note(learningRate: 1e-3, method: .lora)?.message,
                       "lr 1e-3 is above the guide's LoRA range 1e-4…3e-4, which the guide gives for 7B-class models — watching the loss for spikes or divergence.")
    }

    func testLearningRateBelowRangeWaitsForThePeak() {
        // Full fine-tuning at 5e-6 with warmup to step 5, then decay: noted at step 6 (first decrease).
        let lrs = [1e-6, 2e-6, 3e-6, 4e-6, 5e-6, 4.9e-6, 4.8e-6]
        let records = lrs.enumerated().map { MetricRecord(step: $0.offset + 1, lr: $0.element) }
        let warnings = feed(LearningRateRangeDetector(method: .full), records)
        XCTAssertEqual(warnings.map(\.step), [6])
        XCTAssertEqual(warnings[0].evidence, [Evidence(step: 6, label: "peak_lr", value: 5e-6)])
        XCTAssertEqual(warnings[0].message,
                       "lr 5e-6 is below the guide's full fine-tuning range 1e-5…5e-5, which the guide gives for 7B-class models — watching whether the loss moves.")
    }

    func testLearningRateInsideRangeIsQuiet() {
        for method in FineTuningMethod.allCases {
            let range = method.learningRateRange
            XCTAssertNil(LearningRateRangeDetector.note(learningRate: range.lowerBound, method: method))
            XCTAssertNil(LearningRateRangeDetector.note(learningRate: range.upperBound, method: method))
            XCTAssertNil(LearningRateRangeDetector.note(learningRate: method.suggestedLearningRate, method: method))
        }
        XCTAssertEqual(feed(LearningRateRangeDetector(method: .lora), healthyRun()), [])
        XCTAssertNotNil(LearningRateRangeDetector.note(learningRate: 1e-4, method: .qlora))
    }

    /// The false alarm of judging logged rates: a 60-step warmup to 2e-4 stays below LoRA's range
    /// for more than `settleSteps` records. With the configured peak known, nothing fires.
    func testConfiguredPeakInsideRangeIsQuietThroughALongWarmup() {
        let records = (1...80).map { MetricRecord(step: $0, loss: 2, lr: 2e-4 * min(1, Double($0) / 60)) }
        XCTAssertEqual(feed(LearningRateRangeDetector(method: .lora), records).map(\.step), [20], "the fallback's known false alarm")
        XCTAssertEqual(feed(LearningRateRangeDetector(method: .lora, peakLearningRate: 2e-4), records), [])
        var monitor = TrainingMonitor(method: .lora, peakLearningRate: 2e-4)
        XCTAssertEqual(monitor.observe(records).filter { $0.kind == .learningRateOutOfRange }, [])
    }

    /// A peak outside the range is named at the first step with the configured rate, not the
    /// warmup step's rate.
    func testConfiguredPeakOutsideRangeIsNotedAtOnceWithThePeak() {
        let records = (1...30).map { MetricRecord(step: $0, loss: 2 - 0.02 * Double($0), lr: 1e-3 * min(1, Double($0) / 10)) }
        let warnings = feed(LearningRateRangeDetector(method: .lora, peakLearningRate: 1e-3), records)
        XCTAssertEqual(warnings.map(\.step), [1])
        XCTAssertEqual(warnings[0].evidence, [Evidence(step: 1, label: "peak_lr", value: 1e-3)])
        XCTAssertTrue(warnings[0].message.hasPrefix("lr 1e-3 is above"), warnings[0].message)
        let low = feed(LearningRateRangeDetector(method: .full, peakLearningRate: 5e-6), records)
        XCTAssertEqual(low.map(\.step), [1])
        XCTAssertTrue(low[0].message.contains("below the guide's full fine-tuning range"), low[0].message)
    }

    func testMonitorCollectsAndResets() {
        var monitor = TrainingMonitor(method: .lora)
        monitor.observe(losses([2, 2, 2, .nan]))
        XCTAssertEqual(monitor.warnings.map(\.kind), [.lossExploding])
        monitor.reset()
        XCTAssertEqual(monitor.warnings, [])
        let data = try! JSONEncoder().encode(TrainingWarning(kind: .plateau, step: 3, message: "m", evidence: [], fix: "f"))
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("\"plateau\""))
    }
}
