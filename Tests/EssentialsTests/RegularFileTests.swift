import Essentials
import Foundation
import XCTest

/// Only regular files are read as data, within a size cap, and never with an open that blocks
/// (FIFOs, devices); real paths resolve symbolic links for containment checks (issue #26 item 2).
final class RegularFileTests: XCTestCase {
    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attune-regular-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func reason(_ body: () throws -> Any) -> String {
        do { _ = try body(); XCTFail("expected a refusal"); return "" } catch { return "\(error)" }
    }

    func testRegularFileIsReadWithinTheCap() throws {
        let file = try folder().appendingPathComponent("a.txt")
        try Data("hello".utf8).write(to: file)
        XCTAssertEqual(try RegularFile.read(file.path, limit: 5), Data("hello".utf8))
        XCTAssertEqual(try RegularFile.size(of: file.path, limit: 100), 5)
        XCTAssertTrue(reason { try RegularFile.read(file.path, limit: 4) }.hasSuffix("a.txt: is 5 bytes, larger than the 4 bytes limit for this kind of file"))
    }

    func testFIFOIsRefusedWithoutBlocking() throws {
        let fifo = try folder().appendingPathComponent("pipe")
        XCTAssertEqual(mkfifo(fifo.path, 0o600), 0)
        XCTAssertTrue(reason { try RegularFile.read(fifo.path, limit: 1 << 20) }.contains("is a FIFO (named pipe), not a regular file"))
    }

    func testDevicesAndFoldersAreRefused() throws {
        XCTAssertTrue(reason { try RegularFile.read("/dev/zero", limit: 1 << 20) }.contains("is a character device"))
        XCTAssertTrue(reason { try RegularFile.size(of: try folder().path, limit: 1) }.contains("is a folder"))
        XCTAssertTrue(reason { try RegularFile.size(of: "/nonexistent/attune", limit: 1) }.contains("cannot read"))
    }

    func testSparseFileOverTheCapIsRefusedBeforeReading() throws {
        let file = try folder().appendingPathComponent("big.jsonl")
        XCTAssertTrue(FileManager.default.createFile(atPath: file.path, contents: nil))
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: 5 << 30)   // 5 GiB of holes: nothing is written
        try handle.close()
        XCTAssertTrue(reason { try RegularFile.read(file.path, limit: 4 << 30) }.contains("is 5.0 GiB, larger than the 4.0 GiB limit"))
    }

    func testSymbolicLinksResolveForContainment() throws {
        let inside = try folder(), outside = try folder()
        let secret = outside.appendingPathComponent("secret.txt")
        try Data("secret".utf8).write(to: secret)
        try FileManager.default.createSymbolicLink(at: inside.appendingPathComponent("plot.png"), withDestinationURL: secret)
        try Data("ok".utf8).write(to: inside.appendingPathComponent("own.png"))
        XCTAssertFalse(RegularFile.isInside(inside.appendingPathComponent("plot.png").path, folder: inside.path))
        XCTAssertTrue(RegularFile.isInside(inside.appendingPathComponent("own.png").path, folder: inside.path))
        XCTAssertFalse(RegularFile.isInside(inside.appendingPathComponent("missing.png").path, folder: inside.path))
        XCTAssertEqual(RegularFile.realPath(inside.appendingPathComponent("plot.png").path), RegularFile.realPath(secret.path))
    }
}
