import Foundation
import TensorCore
import XCTest
@testable import AttuneRuntime

/// A run's peak memory is its own: an earlier, larger peak of the same process does not count.
final class RunMemoryWindowTests: XCTestCase {
    func testAWindowForgetsAnEarlierLargerPeak() throws {
        #if os(Linux)
        // Touch 256 MiB so the process's peak includes it, then free it.
        let bytes = 256 << 20
        let block = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 4096)
        memset(block, 1, bytes)
        block.deallocate()
        let processPeak = Double(try XCTUnwrap(ProcessMemory.peakResidentBytes)) / 1_048_576
        let window = RunMemoryWindow.start()
        XCTAssertTrue(window.isolated, "writing 5 to /proc/self/clear_refs should reset the peak on Linux")
        let runPeak = try XCTUnwrap(window.peakMiB)
        XCTAssertLessThan(runPeak, processPeak - 200, "the freed 256 MiB still counts in the window's peak")
        #endif
    }

    func testTrainAndSweepValuesCarryTheRunsPeakAndSpeed() throws {
        let interpreter = try interpreterWithData()
        ok(interpreter, "set seq=512 batch=2")
        ok(interpreter, """
            r = train steps=2
            assert r.peak_mb > 1, "peak_mb"
            assert r.tokens_per_s > 0, "tokens_per_s"
            s = sweep lr=[1e-3, 1e-2] seed=[1, 2] steps=1
            assert s.runs[0].peak_mb > 1 and s.runs[3].tokens_per_s > 0, "sweep runs"
            assert s.settings[1].peak_mb >= s.settings[1].runs[0].peak_mb, "a setting's peak is its runs' largest"
            """)
    }
}
