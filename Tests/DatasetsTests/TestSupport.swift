import Foundation
import XCTest
@testable import Datasets

/// Paths and temporary files shared by the tests.
enum TestData {
    /// `Notebooks/data/` of this repository.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Notebooks/data")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A fresh temporary directory, removed when the test ends.
    static func temporaryDirectory(_ test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attune-datasets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Writes `lines` (joined by newlines) to `name` in a temporary directory; returns the path.
    static func write(_ test: XCTestCase, _ name: String, lines: [String]) throws -> String {
        let url = try temporaryDirectory(test).appendingPathComponent(name)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url.path
    }

    /// Writes raw bytes to `name` in a temporary directory; returns the path.
    static func write(_ test: XCTestCase, _ name: String, bytes: [UInt8]) throws -> String {
        let url = try temporaryDirectory(test).appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }
}
