import XCTest
@testable import AttuneServer

/// Stop sequences cut the reply at the first match, and nothing that might start a stop is sent
/// before the next piece decides it.
final class StopSequenceMatcherTests: XCTestCase {
    func run(_ pieces: [String], stops: [String]) -> (sent: [String], text: String, stopped: Bool) {
        var matcher = StopSequenceMatcher(stops: stops)
        var sent = [String]()
        for piece in pieces {
            let out = matcher.push(piece)
            if !out.isEmpty { sent.append(out) }
            if matcher.stopped { break }
        }
        if !matcher.stopped { let tail = matcher.finish(); if !tail.isEmpty { sent.append(tail) } }
        return (sent, matcher.text, matcher.stopped)
    }

    func testCutsAtTheFirstStopAcrossPieces() {
        let r = run(["Hel", "lo ##", "# end"], stops: ["###"])
        XCTAssertEqual(r.text, "Hello ")
        XCTAssertEqual(r.sent.joined(), "Hello ")
        XCTAssertEqual(r.sent, ["Hel", "lo "], "'##' is held until the next piece completes the stop")
        XCTAssertTrue(r.stopped)
    }

    func testHeldTextIsSentWhenItTurnsOutNotToBeAStop() {
        let r = run(["a#", "#b", "c"], stops: ["###"])
        XCTAssertEqual(r.sent, ["a", "##b", "c"])
        XCTAssertEqual(r.text, "a##bc")
        XCTAssertFalse(r.stopped)
        XCTAssertEqual(run(["ab#"], stops: ["##"]).sent, ["ab", "#"], "finish sends what was held")
    }

    func testEarliestOfSeveralStopsWins() {
        XCTAssertEqual(run(["one two three"], stops: ["three", "two"]).text, "one ")
        XCTAssertEqual(run(["x\r\ny"], stops: ["\n"]).text, "x\r", "matching is per Unicode scalar")
        XCTAssertEqual(run(["stop"], stops: ["stop"]).text, "")
        XCTAssertEqual(run(["naïve café"], stops: ["é"]).text, "naïve caf")
    }

    func testNoStopsPassesEverythingThrough() {
        XCTAssertEqual(run(["a", "b"], stops: []).sent, ["a", "b"])
    }
}
