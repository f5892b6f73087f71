import XCTest
@testable import TensorCore

final class TapeTests: XCTestCase {
    /// A small composed network through the tape, checked against float32 central differences of
    /// the same tape computation (a coarse check of the wiring; kernels are checked in Float64).
    func testComposedGraphGradientsMatchFiniteDifferencesAndFrozenTensorsGetNoGrad() throws {
        var rng = RandomGenerator(seed: 3)
        let w1 = Tensor(shape: [6, 4], name: "w1", requiresGrad: true) { _ in rng.uniform(-0.5, 0.5) }
        let w2 = Tensor(shape: [5, 6], name: "w2", requiresGrad: true) { _ in rng.uniform(-0.5, 0.5) }
        let norm = Tensor(shape: [4], name: "norm", requiresGrad: true) { _ in 1 + rng.uniform(-0.1, 0.1) }
        let frozen = Tensor(shape: [5, 4], name: "embed") { _ in rng.uniform(-1, 1) }
        let ids: [Int32] = [1, 3, 0, 4]
        let targets: [Int32] = [2, -100, 1, 0]
        func loss(_ tape: Tape) -> Tensor {
            let x = tape.embedding(ids, frozen)
            let h = tape.rmsNorm(x, weight: norm, eps: 1e-5)
            let a = tape.silu(tape.linear(h, w1))
            let logits = tape.linear(a, w2)
            return tape.crossEntropy(logits, targets: targets).loss
        }
        let tape = Tape()
        let l = loss(tape)
        tape.backward(from: l)
        XCTAssertNil(frozen.grad, "a frozen tensor gets no gradient buffer")
        for p in [w1, w2, norm] {
            let analytic = p.grad!.values
            for i in 0..<p.count {
                let original = p.pointer[i]
                p.pointer[i] = original + 1e-2
                let plus = Double(loss(Tape(recording: false))[flat: 0])
                p.pointer[i] = original - 1e-2
                let minus = Double(loss(Tape(recording: false))[flat: 0])
                p.pointer[i] = original
                XCTAssertEqual(Double(analytic[i]), (plus - minus) / 2e-2, accuracy: 2e-3, "\(p.name)[\(i)]")
            }
        }
    }

    func testInferenceRecordsNothing() {
        let tape = Tape(recording: false)
        let w = Tensor(shape: [2, 2], requiresGrad: true) { Float($0) }
        let x = Tensor(shape: [1, 2]) { _ in 1 }
        _ = tape.linear(x, w)
        XCTAssertEqual(tape.count, 0)
        XCTAssertNil(w.grad)
    }

    func testReshapeSharesValuesAndPassesGradientsThrough() {
        let tape = Tape()
        let x = Tensor(shape: [2, 3], requiresGrad: true) { Float($0) }
        let y = tape.reshape(x, [3, 2])
        XCTAssertEqual(y.values, x.values)
        tape.backward(from: tape.sum(tape.scale(y, 3)))
        XCTAssertEqual(x.grad?.values, [Float](repeating: 3, count: 6))
    }

    func testRandomGeneratorIsSeededAndPurposeStreamsDiffer() {
        var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
        XCTAssertEqual((0..<5).map { _ in a.next() }, (0..<5).map { _ in b.next() })
        var c = RandomGenerator(seed: 9, purpose: "init"), d = RandomGenerator(seed: 9, purpose: "dropout")
        XCTAssertNotEqual(c.next(), d.next())
        var e = RandomGenerator(seed: 1)
        let normals = (0..<20_000).map { _ in e.normal() }
        let mean = normals.reduce(0, +) / 20_000
        let variance = normals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 20_000
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(variance, 1, accuracy: 0.05)
    }

    func testParallelChunksCoverEveryItemOnceInFixedRanges() {
        for count in [0, 1, 2, 7, 1000] {
            var seen = [Int](repeating: 0, count: count)
            seen.withUnsafeMutableBufferPointer { buf in
                let p = UncheckedSendable(buf.baseAddress)
                parallelFor(count) { i in p.value![i] += 1 }
            }
            XCTAssertEqual(seen, [Int](repeating: 1, count: count))
            let chunks = Parallelism.chunkCount(count, minChunk: 1)
            let ranges = (0..<chunks).map { Parallelism.chunkRange($0, of: chunks, count: count) }
            XCTAssertEqual(ranges.map(\.count).reduce(0, +), count)
        }
    }

    func testBLASCoreRecommendation() {
        let avx512 = CPUFeatures(vendor: "GenuineIntel", family: 6, model: 207, avx2: true, fma: true, avx512f: true, avx512bw: true,
                                 avx512vl: true, avx512bf16: true, amxTile: true, amxBF16: true)
        let avx2 = CPUFeatures(vendor: "AuthenticAMD", family: 25, model: 1, avx2: true, fma: true, avx512f: false, avx512bw: false,
                               avx512vl: false, avx512bf16: false, amxTile: false, amxBF16: false)
        XCTAssertEqual(BLASCore.recommendedCore(active: "Prescott", cpu: avx512), "Cooperlake")
        XCTAssertEqual(BLASCore.recommendedCore(active: "Prescott", cpu: avx2), "Haswell")
        XCTAssertNil(BLASCore.recommendedCore(active: "Zen", cpu: avx2), "a recognised core is left alone")
        XCTAssertNil(BLASCore.recommendedCore(active: "SkylakeX", cpu: avx512))
        XCTAssertFalse(BLASCore.activeCore.isEmpty)
    }
}

final class ProcessMemoryTests: XCTestCase {
    func testResidentMemoryIsReadAndPeakIsAtLeastCurrent() throws {
        let rss = try XCTUnwrap(ProcessMemory.residentBytes)
        let peak = try XCTUnwrap(ProcessMemory.peakResidentBytes)
        XCTAssertGreaterThan(rss, 1 << 20)
        XCTAssertGreaterThanOrEqual(peak, rss)
    }
}

final class RandomGeneratorStateTests: XCTestCase {
    func testStateResumesTheStreamExactly() throws {
        var a = RandomGenerator(seed: 42)
        for _ in 0..<10 { _ = a.next() }
        var b = try RandomGenerator(state: a.state)
        XCTAssertEqual((0..<100).map { _ in a.next() }, (0..<100).map { _ in b.next() })
        XCTAssertThrowsError(try RandomGenerator(state: [0, 0, 0, 0]))
        XCTAssertThrowsError(try RandomGenerator(state: [1, 2]))
    }
}

final class BufferPoolTests: XCTestCase {
    /// A freed large buffer is handed out again for the same size, and always zeroed.
    func testReusedBuffersAreZeroed() {
        let count = 200_003
        var address: UnsafeMutablePointer<Float>?
        do {
            let storage = TensorStorage(count: count)
            storage.base.update(repeating: 7, count: count)
            address = storage.base
        }
        let again = TensorStorage(count: count)
        XCTAssertEqual(again.base, address, "same-size buffer reused")
        XCTAssertTrue((0..<count).allSatisfy { again.base[$0] == 0 })
        let small = TensorStorage(count: 10)
        XCTAssertTrue((0..<10).allSatisfy { small.base[$0] == 0 })
    }
}

final class BufferPoolSizeClassTests: XCTestCase {
    /// Eight classes per power of two: a class holds its request, wastes at most 12.5%, and nearby
    /// lengths share one class (so variable-length batches reuse each other's buffers).
    func testSizeClassesHoldTheRequestAndWasteAtMostAnEighth() {
        XCTAssertEqual(BufferPool.capacity(for: 10), 10)
        XCTAssertEqual(BufferPool.capacity(for: 65_536), 65_536)
        XCTAssertEqual(BufferPool.capacity(for: 65_537), 73_728)  // 2^16 · 9/8
        XCTAssertEqual(BufferPool.capacity(for: 131_072), 131_072)
        XCTAssertEqual(BufferPool.capacity(for: 4 * 150 * 576), BufferPool.capacity(for: 4 * 155 * 576))
        for count in stride(from: 65_537, to: 50_000_000, by: 99_991) {
            let c = BufferPool.capacity(for: count)
            XCTAssertGreaterThanOrEqual(c, count)
            XCTAssertLessThanOrEqual(Double(c), Double(count) * 1.125, "\(count) → \(c)")
        }
    }

    /// A buffer of a nearby size is reused (and zeroed); draining the pool frees it.
    func testNearbySizesShareABufferAndDrainFreesThePool() {
        let count = 4 * 150 * 576
        var address: UnsafeMutablePointer<Float>?
        do {
            let storage = TensorStorage(count: count)
            storage.base.update(repeating: 3, count: count)
            address = storage.base
        }
        do {
            let nearby = TensorStorage(count: 4 * 155 * 576)
            XCTAssertEqual(nearby.base, address, "same class, buffer reused")
            XCTAssertTrue((0..<nearby.count).allSatisfy { nearby.base[$0] == 0 })
        }
        XCTAssertGreaterThanOrEqual(TensorStorage.releasePooledBuffers(), BufferPool.capacity(for: count) * 4)
        XCTAssertEqual(TensorStorage.releasePooledBuffers(), 0)
    }
}

final class BufferPoolGenerationTests: XCTestCase {
    /// A buffer given back and then not wanted for a whole generation is freed; one taken again
    /// in time stays pooled.
    func testBuffersUnusedForAGenerationAreFreed() {
        TensorStorage.releasePooledBuffers()
        let wanted = 3 * 100_000, unwanted = 7 * 100_000
        var wantedAddress: UnsafeMutablePointer<Float>?
        do {
            let a = TensorStorage(count: wanted), b = TensorStorage(count: unwanted)
            wantedAddress = a.base
            _ = b
        }
        TensorStorage.endPoolGeneration()                 // both given back in the generation before
        do { let a = TensorStorage(count: wanted); XCTAssertEqual(a.base, wantedAddress) }  // taken again
        TensorStorage.endPoolGeneration()                 // `unwanted` idle a whole generation: freed
        let held = TensorStorage.releasePooledBuffers()
        XCTAssertEqual(held, BufferPool.capacity(for: wanted) * 4, "only the buffer still in use stays pooled")
    }
}
