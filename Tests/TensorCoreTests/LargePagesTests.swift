import Foundation
import XCTest
@testable import TensorCore

/// `LargePages`: blocks cut from 2 MiB-aligned slabs never overlap, keep their bytes, and give
/// their slab back with the last of them; where the kernel offers transparent huge pages, the
/// memory is in them.
final class LargePagesTests: XCTestCase {
    func testBlocksAreAlignedDisjointAndKeepTheirBytes() {
        let sizes = [1, 63, 64, 65, 4096, 69_120, 207_360, 552_960, 1_000_003, LargePages.slabBytes / 2, 30_081_024]
        var blocks: [(LargePages.Block, Int)] = []
        for (n, size) in sizes.enumerated() {
            let block = LargePages.allocate(byteCount: size)
            XCTAssertEqual(Int(bitPattern: block.pointer) % 64, 0, "block of \(size) bytes not 64-byte aligned")
            if size >= LargePages.slabBytes / 2 {
                XCTAssertEqual(Int(bitPattern: block.pointer) % (2 << 20), 0, "a slab of its own starts on a 2 MiB boundary")
            }
            block.pointer.initializeMemory(as: UInt8.self, repeating: UInt8(n + 1), count: size)
            blocks.append((block, size))
        }
        // Every byte still holds what its own block wrote: no two blocks share memory.
        for (n, (block, size)) in blocks.enumerated() {
            let bytes = UnsafeBufferPointer(start: block.pointer.assumingMemoryBound(to: UInt8.self), count: size)
            XCTAssertTrue(bytes.allSatisfy { $0 == UInt8(n + 1) }, "block \(n) (\(size) bytes) was overwritten")
        }
        let ranges = blocks.map { Int(bitPattern: $0.0.pointer)..<(Int(bitPattern: $0.0.pointer) + $0.1) }.sorted { $0.lowerBound < $1.lowerBound }
        for (a, b) in zip(ranges, ranges.dropFirst()) { XCTAssertLessThanOrEqual(a.upperBound, b.lowerBound, "\(a) overlaps \(b)") }
    }

    func testSlabsGoBackWithTheirLastBlock() {
        let before = LargePages.heldBytes
        var blocks = (0..<40).map { _ in LargePages.allocate(byteCount: 553_000) }  // 21 MB: three slabs
        blocks.append(LargePages.allocate(byteCount: 5 << 20))  // a slab of its own, 6 MiB
        // The first blocks may fill the free end of a slab another test still holds.
        XCTAssertGreaterThanOrEqual(LargePages.heldBytes - before, 40 * 553_000 - LargePages.slabBytes + (6 << 20))
        blocks.removeAll()
        XCTAssertEqual(LargePages.heldBytes, before, "slabs still held after every block was freed")
    }

    func testMemoryIsInHugePagesWhereTheKernelOffersThem() throws {
        let mode = (try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8)) ?? "[never]"
        try XCTSkipIf(mode.contains("[never]"), "transparent huge pages are off on this machine (\(mode.trimmingCharacters(in: .whitespacesAndNewlines)))")
        let before = try XCTUnwrap(LargePages.residentHugePageBytes())
        let block = LargePages.allocate(byteCount: 16 << 20)
        block.pointer.initializeMemory(as: UInt8.self, repeating: 1, count: 16 << 20)
        let after = try XCTUnwrap(LargePages.residentHugePageBytes())
        XCTAssertGreaterThanOrEqual(after - before, 8 << 20, "16 MiB written, \(after - before) bytes of it in huge pages")
        withExtendedLifetime(block) {}
    }

    /// `TensorStorage(largePages:)` (the KV cache's buffers): zeros, in a slab of `LargePages`, which
    /// goes back when the storage goes or hands its values back, never into the buffer pool.
    func testTensorStorageInLargePages() {
        let before = LargePages.heldBytes, count = 3 << 20  // 12 MiB: a slab of its own
        var storage: TensorStorage? = TensorStorage(largePages: count)
        XCTAssertGreaterThanOrEqual(LargePages.heldBytes - before, count * 4)
        let values = UnsafeBufferPointer(start: storage!.base, count: count)
        XCTAssertTrue(values.allSatisfy { $0.bitPattern == 0 }, "a new storage in large pages holds +0 everywhere")
        storage!.base.update(repeating: 2.5, count: count)
        XCTAssertEqual(storage!.base[count - 1], 2.5)
        storage!.releaseValues()
        XCTAssertTrue(storage!.isReleased)
        XCTAssertEqual(LargePages.heldBytes, before, "releaseValues hands the slab back")
        storage = nil
        XCTAssertEqual(LargePages.heldBytes, before)
        do {
            let kept = TensorStorage(largePages: count)
            XCTAssertGreaterThanOrEqual(LargePages.heldBytes - before, count * 4)
            withExtendedLifetime(kept) {}
        }
        XCTAssertEqual(LargePages.heldBytes, before, "the slab goes with its storage")
    }
}
