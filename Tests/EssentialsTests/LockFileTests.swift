import Foundation
import Synchronization
import XCTest
@testable import Essentials

/// `LockFile` (one holder at a time, released with the value) and `AtomicFile.create` (exclusive,
/// never half written).
final class LockFileTests: XCTestCase {
    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attune-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func testASecondHolderIsRefusedUntilTheFirstReleases() throws {
        let path = try folder().appendingPathComponent("nb.attune.md.lock").path
        var first: LockFile? = try LockFile(path: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "\(getpid())\n", "the holder's pid is in the file")
        XCTAssertThrowsError(try LockFile(path: path)) { error in
            let refused = error as? LockFile.Refused
            XCTAssertEqual(refused?.isHeld, true)
            XCTAssertEqual(refused?.holder, getpid())
            XCTAssertEqual(refused?.description, "process \(getpid()) holds the lock \(path)")
        }
        first = nil
        XCTAssertNil(first)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "releasing removes the lock file")
        let second = try LockFile(path: path)
        second.release()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testAStaleLockFileFromAKilledProcessIsTakenOver() throws {
        let path = try folder().appendingPathComponent("x.lock").path
        try "12345\n".write(toFile: path, atomically: true, encoding: .utf8)
        let lock = try LockFile(path: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "\(getpid())\n")
        lock.release()
    }

    func testALockInAMissingFolderSaysWhy() throws {
        let path = try folder().appendingPathComponent("missing/x.lock").path
        XCTAssertThrowsError(try LockFile(path: path)) { error in
            let refused = error as? LockFile.Refused
            XCTAssertEqual(refused?.isHeld, false)
            XCTAssertTrue(refused?.description.hasPrefix("cannot create the lock file \(path): No such file") == true, "\(error)")
        }
    }

    func testCreateIsExclusiveAndLeavesNoTemporaryFile() throws {
        let folder = try folder()
        let path = folder.appendingPathComponent("a.txt").path
        try AtomicFile.create(path, with: Data("first".utf8))
        XCTAssertThrowsError(try AtomicFile.create(path, with: Data("second".utf8))) { error in
            XCTAssertEqual((error as? FileWriteError)?.alreadyExists, true)
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "first")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["a.txt"])
    }

    func testConcurrentCreatesLetExactlyOneWin() throws {
        let folder = try folder()
        for round in 0..<20 {
            let path = folder.appendingPathComponent("r\(round).txt").path
            let wins = Mutex<[Int]>([])
            DispatchQueue.concurrentPerform(iterations: 4) { index in
                if (try? AtomicFile.create(path, with: Data("writer \(index)".utf8))) != nil { wins.withLock { $0.append(index) } }
            }
            let winners = wins.withLock { $0 }
            XCTAssertEqual(winners.count, 1, "round \(round)")
            XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "writer \(winners[0])")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).count, 20, "no temporary file is left")
    }
}
