import Essentials
import XCTest

/// `UnitThreads`: whole items split evenly or many per thread run on every thread; a few uneven
/// ones (SmolLM2's 3 kv heads at batch 1 on 2 threads) run one at a time.
final class UnitThreadsTests: XCTestCase {
    func testEvenOrManyUnitsUseEveryThreadAndFewUnevenOnesUseOne() {
        XCTAssertEqual(UnitThreads.count(units: 12, workers: 2), 2)   // batch 4 × 3 kv heads
        XCTAssertEqual(UnitThreads.count(units: 36, workers: 2), 2)   // batch 4 × 9 heads
        XCTAssertEqual(UnitThreads.count(units: 3, workers: 2), 1)    // batch 1 × 3 kv heads
        XCTAssertEqual(UnitThreads.count(units: 9, workers: 2), 1)    // batch 1 × 9 heads
        XCTAssertEqual(UnitThreads.count(units: 17, workers: 2), 2)   // many: at most 1/8 idle
        XCTAssertEqual(UnitThreads.count(units: 2, workers: 4), 1)
        XCTAssertEqual(UnitThreads.count(units: 4, workers: 4), 4)
        XCTAssertEqual(UnitThreads.count(units: 36, workers: 1), 1)
        XCTAssertEqual(UnitThreads.count(units: 1, workers: 2), 1)
        XCTAssertEqual(UnitThreads.count(units: 0, workers: 2), 1)
    }
}
