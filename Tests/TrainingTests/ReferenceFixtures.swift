import Foundation
import XCTest

/// Locates `shared/reference/` beside the repository (or at `ATTUNE_SHARED/reference`).
enum ReferenceFixtures {
    static var root: URL {
        if let shared = ProcessInfo.processInfo.environment["ATTUNE_SHARED"] {
            return URL(fileURLWithPath: shared).appendingPathComponent("reference")
        }
        // Tests/TrainingTests/ReferenceFixtures.swift → repository → ../shared/reference
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/reference")
    }

    static func url(_ relative: String) throws -> URL {
        let url = root.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            if ProcessInfo.processInfo.environment["ATTUNE_REQUIRE_FIXTURES"] == "1" { XCTFail("reference fixture \(url.path) not found") }
            throw XCTSkip("reference fixture \(url.path) not found (set ATTUNE_SHARED)")
        }
        return url
    }

    static func json(_ relative: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(relative))) as! [String: Any]
    }
}

/// `max |ours − theirs| / max |theirs|`.
func relativeError(_ ours: [Float], _ theirs: [Float]) -> Float {
    precondition(ours.count == theirs.count, "relativeError: \(ours.count) vs \(theirs.count) values")
    let scale = theirs.map { abs($0) }.max() ?? 0
    let diff = zip(ours, theirs).map { abs($0 - $1) }.max() ?? 0
    return diff / max(scale, 1e-30)
}

/// `max |ours − theirs|`.
func absoluteError(_ ours: [Float], _ theirs: [Float]) -> Float {
    precondition(ours.count == theirs.count, "absoluteError: \(ours.count) vs \(theirs.count) values")
    return zip(ours, theirs).map { abs($0 - $1) }.max() ?? 0
}

/// A fresh temporary directory, removed at the end of the test.
func temporaryDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("attune-training-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}
