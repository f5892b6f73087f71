import TensorCore
import XCTest
@testable import Models

/// `KVCache` keeps its buffers in 2 MiB pages (`LargePages`: decoding reads the whole cache every
/// token), gives them back with the cache, and decodes the same bits as a cache in ordinary pages.
final class KVCacheTests: XCTestCase {
    func testBuffersAreInLargePagesAndGoWithTheCache() throws {
        let config = try LoadedModel.tiny(TinyModelOptions(), seed: 3).model.config
        let capacity = 4096, bytes = 2 * config.layers * capacity * config.kvHeads * config.headDim * 4
        let before = LargePages.heldBytes
        var cache: KVCache? = KVCache(config: config, capacity: capacity)
        XCTAssertGreaterThanOrEqual(LargePages.heldBytes - before, bytes - LargePages.slabBytes,
                                    "\(bytes) bytes of cache, \(LargePages.heldBytes - before) held in large pages")
        XCTAssertNotNil(cache)
        cache = nil
        XCTAssertEqual(LargePages.heldBytes, before, "the cache's slabs go with it")
        let ordinary = KVCache(config: config, capacity: capacity, largePages: false)
        XCTAssertEqual(LargePages.heldBytes, before, "largePages: false takes nothing from LargePages")
        withExtendedLifetime(ordinary) {}
    }

    func testDecodingGivesTheSameBitsInEitherKindOfPage() throws {
        let model = try DecodeStepTests.fullyQuantizedTiny(seed: 5, type: .q4_1)
        let prompt: [Int32] = [5, 9, 13, 2, 7, 11, 3]
        let large = KVCache(config: model.config, capacity: 32), small = KVCache(config: model.config, capacity: 32, largePages: false)
        var a = model.nextTokenLogits(prompt, cache: large), b = model.nextTokenLogits(prompt, cache: small)
        for step in 0..<12 {
            XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "step \(step)")
            let token = Int32(Sampler.argmax(a))
            a = model.nextTokenLogits([token], cache: large)
            b = model.nextTokenLogits([token], cache: small)
        }
    }
}
