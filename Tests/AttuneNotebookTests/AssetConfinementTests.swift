import Essentials
import Foundation
import XCTest
@testable import AttuneNotebook

/// Exporting an untrusted notebook embeds only files that really lie in its folder: a plot asset
/// that is a symbolic link to another file, a FIFO, or a path leaving the folder is not read, so
/// the HTML or ipynb cannot carry someone's local file (issue #26 item 3).
final class AssetConfinementTests: XCTestCase {
    let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x41, 0x54, 0x54])

    func setUpFolders() throws -> (notebook: URL, secret: URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("attune-assets-\(UUID().uuidString)")
        let notebook = root.appendingPathComponent("nb"), elsewhere = root.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: notebook.appendingPathComponent("format-example.assets"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let secret = elsewhere.appendingPathComponent("id_rsa")
        try Data("PRIVATE KEY MATERIAL".utf8).write(to: secret)
        return (notebook, secret)
    }

    func testSymlinkedAssetIsNotEmbedded() throws {
        let (folder, secret) = try setUpFolders()
        let asset = folder.appendingPathComponent("format-example.assets/p1-3b9c.png")
        try FileManager.default.createSymbolicLink(at: asset, withDestinationURL: secret)
        let source = AssetSource.folder(folder)
        XCTAssertNil(source.load("format-example.assets/p1-3b9c.png"))
        let document = try NotebookReader.read(Fixtures.formatExample)
        let encoded = Data("PRIVATE KEY MATERIAL".utf8).base64EncodedString()
        XCTAssertFalse(HTMLExporter(assets: source).export(document).contains(encoded))
        XCTAssertFalse(IpynbExporter(assets: source).exportText(document).contains(encoded))

        // The same file really inside the folder is embedded.
        try FileManager.default.removeItem(at: asset)
        try png.write(to: asset)
        XCTAssertEqual(source.load("format-example.assets/p1-3b9c.png"), png)
        XCTAssertTrue(HTMLExporter(assets: source).export(document).contains(png.base64EncodedString()))
    }

    func testLinkedFolderFIFOAndEscapingPathsAreRefused() throws {
        let (folder, secret) = try setUpFolders()
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("linked"),
                                                   withDestinationURL: secret.deletingLastPathComponent())
        XCTAssertEqual(mkfifo(folder.appendingPathComponent("pipe.png").path, 0o600), 0)
        let source = AssetSource.folder(folder)
        XCTAssertNil(source.load("linked/id_rsa"))
        XCTAssertNil(source.load("pipe.png"), "a FIFO is not opened (it would block)")
        XCTAssertNil(source.load("../elsewhere/id_rsa"))
        XCTAssertNil(source.load(secret.path))
    }
}
