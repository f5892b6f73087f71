import Essentials
import Foundation
import XCTest

/// The shared primitives against published values and their promises: SplitMix64 (Vigna's
/// reference outputs), FNV-1a 64 (the reference test vectors), and atomic replacement.
final class EssentialsPrimitivesTests: XCTestCase {
    func testSplitMix64MatchesTheReferenceSequence() {
        // splitmix64.c with x = 0: the first outputs.
        var generator = SplitMix64(seed: 0)
        XCTAssertEqual(generator.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(generator.next(), 0x6E78_9E6A_A1B9_65F4)
        XCTAssertEqual(generator.next(), 0x06C4_5D18_8009_454F)
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42)
        for _ in 0..<100 { XCTAssertEqual(a.next(), b.next()) }
        for _ in 0..<1000 {
            let x = a.nextUnit()
            XCTAssertTrue(x >= 0 && x < 1, "\(x)")
            let k = a.next(below: 7)
            XCTAssertTrue((0..<7).contains(k), "\(k)")
        }
    }

    func testFNV1aMatchesTheReferenceVectors() {
        XCTAssertEqual(FNV1a.hash(""), 0xCBF2_9CE4_8422_2325)
        XCTAssertEqual(FNV1a.hash("a"), 0xAF63_DC4C_8601_EC8C)
        XCTAssertEqual(FNV1a.hash("foobar"), 0x8594_4171_F739_67E8)
        var incremental = FNV1a()
        incremental.combine(Array("foo".utf8))
        incremental.combine(Array("bar".utf8))
        XCTAssertEqual(incremental.value, FNV1a.hash("foobar"))
    }

    func testReplaceIsAllOrNothingAndLeavesNoTemporaryFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("essentials-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("f.txt").path
        try AtomicFile.replace(path, with: Data("old".utf8))
        try AtomicFile.replace(path, with: Data("new contents".utf8))
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new contents")
        struct Stop: Error {}
        XCTAssertThrowsError(try AtomicFile.replace(path) { write in
            try write(Array("partial".utf8))
            throw Stop()
        })
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new contents", "a failed replace keeps the old file")
        try AtomicFile.append(Data(" + more".utf8), to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new contents + more")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["f.txt"], "no temporary file left behind")
    }
}
