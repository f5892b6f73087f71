import Essentials
import XCTest
@testable import Evaluation

final class MetricRecordTests: XCTestCase {
    func testJSONLineKeepsKeyOrderAndRoundTrips() throws {
        let record = MetricRecord(step: 3, loss: 2.31, smoothedLoss: 2.4, lr: 2e-4, gradNorm: 1.25,
                                  tokensPerSecond: 812.5, trainedTokens: 3072, valLoss: 2.2,
                                  valPerplexity: 9.025, extra: ["kl": 0.5])
        XCTAssertEqual(record.jsonLine,
                       #"{"step":3,"loss":2.31,"smoothed_loss":2.4,"lr":0.0002,"grad_norm":1.25,"tokens_per_s":812.5,"trained_tokens":3072,"val_loss":2.2,"val_ppl":9.025,"kl":0.5}"#)
        XCTAssertEqual(try MetricRecord(jsonLine: record.jsonLine), record)
        let encoded = try JSONEncoder().encode(record)
        XCTAssertEqual(try JSONDecoder().decode(MetricRecord.self, from: encoded), record)
    }

    func testNonFiniteLossIsWrittenAsString() throws {
        let record = MetricRecord(step: 17, loss: .nan, gradNorm: .infinity)
        XCTAssertEqual(record.jsonLine, #"{"step":17,"loss":"nan","grad_norm":"inf"}"#)
        let back = try MetricRecord(jsonLine: record.jsonLine)
        XCTAssertTrue(back.loss!.isNaN)
        XCTAssertEqual(back.gradNorm, .infinity)
    }

    func testMissingStepIsAnError() {
        XCTAssertThrowsError(try MetricRecord(jsonLine: #"{"loss":1}"#))
    }

    func testSmallLearningRateRoundTripsExactly() throws {
        let record = MetricRecord(step: 1, lr: 1e-5)
        XCTAssertEqual(record.jsonLine, #"{"step":1,"lr":1e-05}"#)
        XCTAssertEqual(try MetricRecord(jsonLine: record.jsonLine).lr, 1e-5)
    }

    func testHistorySeriesByNameAndAlias() throws {
        var history = RunHistory()
        for step in 1...4 {
            history.append(MetricRecord(step: step, loss: Double(5 - step), lr: 1e-4), to: "lr=1e-4")
        }
        history.append(MetricRecord(step: 4, valLoss: 1.5, valPerplexity: 4.48), to: "lr=1e-4")
        history.append(MetricRecord(step: 1, loss: 9), to: "lr=1e-3")
        XCTAssertEqual(history.runNames, ["lr=1e-4", "lr=1e-3"])
        XCTAssertEqual(history.series("loss", of: "lr=1e-4").map(\.value), [4, 3, 2, 1])
        XCTAssertEqual(history.series("val_loss", of: "lr=1e-4"), [SeriesPoint(step: 4, value: 1.5)])
        XCTAssertEqual(history.series("perplexity", of: "lr=1e-4").map(\.value), [4.48])
        XCTAssertEqual(history.metricNames(of: "lr=1e-4"), ["step", "loss", "lr", "val_loss", "val_ppl"])
        XCTAssertEqual(history.minimum("loss", of: "lr=1e-4"), SeriesPoint(step: 4, value: 1))
        XCTAssertEqual(try MetricRecord.records(jsonLines: history.jsonLines(of: "lr=1e-3")).count, 1)
    }

    func testEMAIsBiasCorrected() {
        var ema = ExponentialMovingAverage(beta: 0.9)
        XCTAssertNil(ema.value)
        XCTAssertEqual(ema.update(2.0)!, 2.0, accuracy: 1e-12)
        // s2 = 0.9·0.2 + 0.1·4 = 0.58; corrected by 1 − 0.81 = 0.19 → 3.0526…
        XCTAssertEqual(ema.update(4.0)!, 0.58 / 0.19, accuracy: 1e-12)
        XCTAssertEqual(ema.update(.nan)!, 0.58 / 0.19, accuracy: 1e-12)
        XCTAssertEqual(ExponentialMovingAverage.smooth([1, 1, 1], beta: 0.5), [1, 1, 1])
    }

}
