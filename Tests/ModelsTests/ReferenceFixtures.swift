import Foundation
import XCTest

/// Locates `shared/reference/` beside the repository (or at `ATTUNE_SHARED/reference`).
enum ReferenceFixtures {
    static var root: URL {
        if let shared = ProcessInfo.processInfo.environment["ATTUNE_SHARED"] {
            return URL(fileURLWithPath: shared).appendingPathComponent("reference")
        }
        // Tests/ModelsTests/ReferenceFixtures.swift → repository → ../shared/reference
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
