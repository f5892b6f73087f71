import CKernels
import Foundation
import Synchronization

/// Runs `body` over `0..<count` split into contiguous chunks, about one per worker, on the
/// machine's cores. For work whose items are independent (each output written from its own item):
/// the boundaries depend on the worker count, so a reduction across items must use
/// `parallelFixedChunks` instead, whose boundaries depend on the problem alone.
///
/// The chunks run on CKernels' persistent spinning pool (`attune_pool_run`), not Dispatch: decoding
/// a token runs ~200 such loops of ~50 µs, and a thread wake-up per loop cost more than the second
/// core gave. A loop started inside a chunk runs its chunks inline.
///
/// - Parameters:
///   - count: number of independent items (rows, heads, …).
///   - minChunk: smallest number of items worth a thread of its own.
///   - body: called once per chunk with `(chunkIndex, range)`.
public func parallelChunks(_ count: Int, minChunk: Int = 1, _ body: (Int, Range<Int>) -> Void) {
    guard count > 0 else { return }
    let chunks = Parallelism.chunkCount(count, minChunk: minChunk)
    if chunks == 1 {
        body(0, 0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        var job = ChunkJob(body: body, chunks: chunks, count: count)
        withUnsafeMutablePointer(to: &job) { pointer in
            attune_pool_run(chunks, Parallelism.workers, { context, chunk in
                let job = context!.assumingMemoryBound(to: ChunkJob.self).pointee
                job.body(chunk, Parallelism.chunkRange(chunk, of: job.chunks, count: job.count))
            }, pointer)
        }
    }
}

/// Runs `body(chunk, range)` over `0..<count` cut into chunks of exactly `chunkSize` items (the
/// last one shorter): `Parallelism.fixedChunkCount(count, chunkSize:)` chunks whose boundaries
/// depend on `count` and `chunkSize` alone, never on the core count. A reduction keeps one partial
/// per chunk and adds the partials in chunk order, so its bits are the same at any thread count
/// (DESIGN §5).
public func parallelFixedChunks(_ count: Int, chunkSize: Int, _ body: (Int, Range<Int>) -> Void) {
    guard count > 0 else { return }
    let size = max(1, chunkSize)
    let chunks = Parallelism.fixedChunkCount(count, chunkSize: size)
    if chunks == 1 || Parallelism.workers == 1 {
        for chunk in 0..<chunks { body(chunk, chunk * size..<min(count, (chunk + 1) * size)) }
        return
    }
    withoutActuallyEscaping(body) { body in
        var job = FixedChunkJob(body: body, size: size, count: count)
        withUnsafeMutablePointer(to: &job) { pointer in
            attune_pool_run(chunks, Parallelism.workers, { context, chunk in
                let job = context!.assumingMemoryBound(to: FixedChunkJob.self).pointee
                job.body(chunk, chunk * job.size..<min(job.count, (chunk + 1) * job.size))
            }, pointer)
        }
    }
}

/// What a pool worker needs to run one chunk of `parallelFixedChunks`.
private struct FixedChunkJob {
    let body: (Int, Range<Int>) -> Void
    let size: Int
    let count: Int
}

/// What a pool worker needs to run one chunk of `parallelChunks`.
private struct ChunkJob {
    let body: (Int, Range<Int>) -> Void
    let chunks: Int
    let count: Int
}

/// `parallelChunks` for per-item work: calls `body(i)` for every `i` in `0..<count`.
@inlinable
public func parallelFor(_ count: Int, minChunk: Int = 1, _ body: (Int) -> Void) {
    parallelChunks(count, minChunk: minChunk) { _, range in
        for i in range { body(i) }
    }
}

/// How non-BLAS loops are split across the cores.
public enum Parallelism {
    /// Worker count: the active processor count (2 on the reference machine), overridable with
    /// `ATTUNE_THREADS` for measurements.
    public static let workers: Int = {
        if let text = getenvString("ATTUNE_THREADS"), let n = Int(text), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Number of chunks for `count` items: at most `workers`, each at least `minChunk` items.
    @inlinable
    public static func chunkCount(_ count: Int, minChunk: Int) -> Int {
        max(1, min(workers, count / max(1, minChunk)))
    }

    /// Number of chunks of `chunkSize` items that cover `count` items (`parallelFixedChunks`).
    @inlinable
    public static func fixedChunkCount(_ count: Int, chunkSize: Int) -> Int {
        max(1, (count + max(1, chunkSize) - 1) / max(1, chunkSize))
    }

    /// Memory the thread that runs chunk `chunk` of the next parallel loops will stream first: a
    /// pool thread that waits meanwhile reads it ahead into its cache (`attune_pool_prefetch_hint`).
    /// A hint is only a read-ahead; it never changes what a loop computes.
    public static func hintReadAhead(chunk: Int, _ bytes: UnsafeRawBufferPointer) {
        attune_pool_prefetch_hint(chunk, bytes.baseAddress, bytes.count)
    }

    /// The hint chunk `chunk` holds now.
    public static func readAheadHint(chunk: Int) -> UnsafeRawBufferPointer {
        var address: UnsafeRawPointer?, bytes = 0
        attune_pool_prefetch_hint_of(chunk, &address, &bytes)
        return UnsafeRawBufferPointer(start: address, count: address == nil ? 0 : bytes)
    }

    /// Whether idle pool threads read their hints ahead (on by default; off for measurements).
    public static var readsAheadWhenIdle: Bool {
        get { attune_pool_idle_prefetch_enabled() != 0 }
        set { attune_pool_set_idle_prefetch(newValue ? 1 : 0) }
    }

    /// The contiguous range of chunk `chunk` when `count` items are split into `chunks` parts.
    @inlinable
    public static func chunkRange(_ chunk: Int, of chunks: Int, count: Int) -> Range<Int> {
        let lower = count * chunk / chunks
        let upper = count * (chunk + 1) / chunks
        return lower..<upper
    }
}

/// Wraps a value the compiler cannot prove Sendable (a closure over raw pointers) for a
/// `concurrentPerform` whose chunks touch disjoint memory.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    @inlinable public init(_ value: Value) { self.value = value }
}

func getenvString(_ name: String) -> String? {
    guard let raw = getenv(name) else { return nil }
    return String(cString: raw)
}

/// A shared counter from which the threads of one parallel loop claim work items in turn
/// (`claim()` returns 0, 1, 2, … across all of them), so uneven items keep every thread busy.
public final class UnitCounter: Sendable {
    private let next = Atomic<Int>(0)
    public init() {}
    /// The next unclaimed item.
    public func claim() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
}
