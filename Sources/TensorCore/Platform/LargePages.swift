import Foundation
import Synchronization

/// Memory for large buffers that every decoded token streams through once (decoding's weight
/// copies, `Int16DecodeRows`), in 2 MiB pages where the kernel gives them: Linux's transparent huge
/// pages, asked for with `madvise(MADV_HUGEPAGE)` (Debian's default mode is `madvise`, so memory
/// that does not ask stays in 4 KiB pages). A token of SmolLM2 reads ~97 MB of weights: 24,000 small
/// pages, each a TLB miss and a page walk, against 48 large ones. Measured on a Zen 4 (two threads,
/// the same binary decoding with the same weights in either kind of page, alternating token by
/// token): 5–9% less time per token.
///
/// Slabs are mapped fresh (`mmap`), 2 MiB-aligned. Blocks are cut from 8 MiB slabs (so a 69 KB projection does not cost a 2 MiB page of its own);
/// a block of half a slab or more gets a slab of its own, rounded up to 2 MiB. A slab goes back to
/// the system when the last block cut from it is freed. Where the kernel has no huge pages the
/// memory is ordinary memory, 2 MiB-aligned.
public enum LargePages {
    /// A slab's size; each slab starts on a 2 MiB boundary.
    public static let slabBytes = 8 << 20
    static let pageBytes = 2 << 20

    /// The slab blocks are being cut from, held weakly: when its blocks are all freed, it goes.
    private struct Cursor {
        weak var slab: Slab?
        var used = 0
    }
    private static let cursor = Mutex(Cursor())
    private static let held = Atomic<Int>(0)

    /// Bytes of slabs alive now (blocks in use and the free space after them in their slabs).
    public static var heldBytes: Int { held.load(ordering: .relaxed) }

    /// `byteCount` bytes (64-byte aligned) that stay valid while the returned block lives.
    public static func allocate(byteCount: Int) -> Block {
        let size = max(byteCount, 1)
        let aligned = (size + 63) & ~63
        if aligned >= slabBytes / 2 {
            return Block(slab: Slab(bytes: (aligned + pageBytes - 1) / pageBytes * pageBytes), offset: 0)
        }
        return cursor.withLock { cursor in
            if let slab = cursor.slab, cursor.used + aligned <= slab.bytes {
                defer { cursor.used += aligned }
                return Block(slab: slab, offset: cursor.used)
            }
            let slab = Slab(bytes: slabBytes)
            cursor = Cursor(slab: slab, used: aligned)
            return Block(slab: slab, offset: 0)
        }
    }

    /// Bytes of the process's memory in huge pages now (`AnonHugePages` of /proc/self/smaps_rollup;
    /// nil where the file is missing).
    public static func residentHugePageBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/smaps_rollup", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("AnonHugePages:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kib = Int(fields[1]) { return kib * 1024 }
        }
        return nil
    }

    /// A run of memory in a slab; keeps its slab alive.
    public struct Block: @unchecked Sendable {
        fileprivate let slab: Slab
        fileprivate let offset: Int
        public var pointer: UnsafeMutableRawPointer { slab.base + offset }
    }

    /// `bytes` of 2 MiB-aligned memory marked for huge pages, freed with the last block cut from it.
    fileprivate final class Slab: @unchecked Sendable {
        let base: UnsafeMutableRawPointer
        let bytes: Int

        /// Fresh pages straight from `mmap`, never memory the allocator recycles: madvise marks a
        /// range for huge pages at its next faults, and recycled memory is already faulted in
        /// 4 KiB pages (glibc serves even a 16 MiB request from its heap once its mmap threshold
        /// has grown, as it does after large frees).
        init(bytes: Int) {
            let length = bytes + LargePages.pageBytes
            guard let raw = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                  raw != UnsafeMutableRawPointer(bitPattern: -1) else {
                fatalError("LargePages: cannot map \(bytes) bytes")
            }
            // Keep the 2 MiB-aligned `bytes` inside the mapping; unmap the ends.
            let start = Int(bitPattern: raw), aligned = (start + LargePages.pageBytes - 1) & ~(LargePages.pageBytes - 1)
            if aligned > start { munmap(raw, aligned - start) }
            let tail = start + length - (aligned + bytes)
            if tail > 0 { munmap(UnsafeMutableRawPointer(bitPattern: aligned + bytes), tail) }
            base = UnsafeMutableRawPointer(bitPattern: aligned)!
            #if os(Linux)
            _ = madvise(base, bytes, MADV_HUGEPAGE)
            #endif
            self.bytes = bytes
            LargePages.held.wrappingAdd(bytes, ordering: .relaxed)
        }

        deinit {
            munmap(base, bytes)
            LargePages.held.wrappingSubtract(bytes, ordering: .relaxed)
        }
    }
}
