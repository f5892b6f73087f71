import Foundation
import XCTest
@testable import TensorCore

/// `parallelChunks` on CKernels' spinning pool: every chunk runs exactly once with its fixed range,
/// loops nested inside a chunk and loops started from several threads at once all complete.
final class WorkerPoolTests: XCTestCase {
    /// Sums `0..<count` with one partial per chunk, as the kernels do.
    static func chunkedSum(_ count: Int, minChunk: Int = 1) -> (sum: Int, ranges: [Range<Int>]) {
        let chunks = Parallelism.chunkCount(count, minChunk: minChunk)
        let partials = UnsafeMutableBufferPointer<Int>.allocate(capacity: chunks)
        let seen = UnsafeMutableBufferPointer<Range<Int>>.allocate(capacity: chunks)
        defer { partials.deallocate(); seen.deallocate() }
        seen.initialize(repeating: 0..<0)
        partials.initialize(repeating: 0)
        let (p, s) = (UncheckedSendable(partials), UncheckedSendable(seen))
        parallelChunks(count, minChunk: minChunk) { chunk, range in
            p.value[chunk] += range.reduce(0, +)
            s.value[chunk] = range
        }
        return (partials.reduce(0, +), Array(seen))
    }

    func testEveryChunkRunsOnceWithItsFixedRange() {
        for iteration in 0..<2000 {
            let count = 1 + iteration % 97
            let (sum, ranges) = Self.chunkedSum(count)
            XCTAssertEqual(sum, count * (count - 1) / 2, "count \(count)")
            let chunks = ranges.count
            for (c, range) in ranges.enumerated() {
                XCTAssertEqual(range, Parallelism.chunkRange(c, of: chunks, count: count))
            }
        }
    }

    /// Read-ahead hints are only hints: a hint at memory that is not mapped, or at nothing, never
    /// faults in the idle threads that read it, nor changes what the loops compute, whether the
    /// threads read ahead or not; the pool keeps each chunk's latest hint.
    func testReadAheadHintsNeverChangeResultsOrFault() {
        defer { Parallelism.readsAheadWhenIdle = true }
        let unmapped = UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: 0x1000), count: 4 << 20)
        let real = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { real.deallocate() }
        for (n, readsAhead) in [true, false, true].enumerated() {
            Parallelism.readsAheadWhenIdle = readsAhead
            XCTAssertEqual(Parallelism.readsAheadWhenIdle, readsAhead)
            for iteration in 0..<300 {
                let hint = iteration % 3 == 0 ? unmapped : iteration % 3 == 1 ? UnsafeRawBufferPointer(real) : UnsafeRawBufferPointer(start: nil, count: 0)
                for chunk in 0..<4 { Parallelism.hintReadAhead(chunk: chunk, hint) }
                let count = 1 + (iteration + n) % 200
                XCTAssertEqual(Self.chunkedSum(count).sum, count * (count - 1) / 2)
            }
        }
        Parallelism.hintReadAhead(chunk: 1, UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(real)[4096..<8192]))
        let hint = Parallelism.readAheadHint(chunk: 1)
        XCTAssertEqual(hint.baseAddress, UnsafeRawPointer(real.baseAddress! + 4096))
        XCTAssertEqual(hint.count, 4096)
    }

    func testNestedLoopsRunInline() {
        let total = UnsafeMutableBufferPointer<Int>.allocate(capacity: 8)
        defer { total.deallocate() }
        total.initialize(repeating: 0)
        let t = UncheckedSendable(total)
        parallelChunks(8) { chunk, range in
            for i in range { t.value[i] = Self.chunkedSum(50).sum }
        }
        XCTAssertEqual(Array(total), Array(repeating: 1225, count: 8))
    }

    func testLoopsFromSeveralThreadsAtOnce() {
        let group = DispatchGroup()
        let results = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4)
        defer { results.deallocate() }
        results.initialize(repeating: 0)
        let r = UncheckedSendable(results)
        for thread in 0..<4 {
            DispatchQueue.global().async(group: group) {
                var sum = 0
                for _ in 0..<500 { sum += Self.chunkedSum(1000, minChunk: 10).sum }
                r.value[thread] = sum
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success, "a loop never finished")
        XCTAssertEqual(Array(results), Array(repeating: 500 * 499_500, count: 4))
    }
}
