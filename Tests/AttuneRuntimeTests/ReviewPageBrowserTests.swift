import Essentials
import Foundation
import XCTest
@testable import AttuneRuntime

/// The page `review export` writes, driven in headless Chromium (Debian's `chromium`, which
/// Scripts/setup installs): a review is started and exported through the binary, the page is
/// loaded from file:// with a script that rates two items the way a person clicks, the ratings the
/// page saves are imported back with `attune open … review import`.
final class ReviewPageBrowserTests: XCTestCase {
    func requirement(_ message: String) throws -> Never {
        if ProcessInfo.processInfo.environment["ATTUNE_REQUIRE_FIXTURES"] == "1" { XCTFail(message) }
        throw XCTSkip(message)
    }

    func chromium() throws -> URL {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"] where FileManager.default.isExecutableFile(atPath: path) {
            return URL(fileURLWithPath: path)
        }
        try requirement("chromium is not installed (Scripts/setup installs Debian's chromium)")
    }

    /// Loads `page` in headless Chromium and returns the DOM after its scripts ran.
    func dumpDOM(_ browser: URL, _ page: URL) throws -> String {
        let process = Process()
        process.executableURL = browser
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
                             "--user-data-dir=" + page.deletingLastPathComponent().appendingPathComponent("chromium-profile").path,
                             "--virtual-time-budget=5000", "--dump-dom", page.absoluteString]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "chromium failed")
        return String(decoding: data, as: UTF8.self)
    }

    func testPageRatesTwoItemsSavesAndImports() throws {
        guard let binary = attuneBinary() else { try requirement("the attune executable is not built next to the tests") }
        let browser = try chromium()
        let folder = try ticketFolder()
        let script = """
            model new tiny
            data load "tickets.jsonl"
            short = eval on="tickets.jsonl" check=none samples=6 max=3 loss=false
            long = eval on="tickets.jsonl" check=none samples=6 max=6 loss=false
            review short long n=6 rubric=[accuracy, tone]
            q
            review export "page"

            """
        let started = try runBinary(binary, ["--notebook", "nb.attune.md"], in: folder, input: script)
        XCTAssertEqual(started.status, 0, started.err)
        XCTAssertTrue(started.out.contains("wrote page/review.html and page/items.jsonl: 6 items"), started.out)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("nb.review-key.json").path))

        // The page as shipped, plus a script that does what a rater does: a name, A better on item 1
        // (accuracy 4/2, tone 5/3), a tie on item 3 without scores, then Save.
        let page = try String(contentsOf: folder.appendingPathComponent("page/review.html"), encoding: .utf8)
        let rater = """
            <script>
            document.getElementById("rater").value = "tester";
            document.querySelector('input[name="pref-1"][value="a"]').click();
            const scores = { "score-1-a-0": "4", "score-1-b-0": "2", "score-1-a-1": "5", "score-1-b-1": "3" };
            for (const [id, value] of Object.entries(scores)) {
              const select = document.getElementById(id);
              select.value = value;
              select.dispatchEvent(new Event("change", { bubbles: true }));
            }
            document.querySelector('input[name="pref-3"][value="tie"]').click();
            document.getElementById("save").click();
            </script>
            </body>
            """
        XCTAssertTrue(page.contains("</body>"))
        let driven = folder.appendingPathComponent("page/driven.html")
        try page.replacingOccurrences(of: "</body>", with: rater).write(to: driven, atomically: true, encoding: .utf8)
        let started2 = Date()
        let dom = try dumpDOM(browser, driven)
        XCTAssertLessThan(Date().timeIntervalSince(started2), 60)
        XCTAssertTrue(dom.contains("2 of 6 rated"), "the page counts the ratings")
        guard let open = dom.range(of: "<pre id=\"saved-json\">"), let close = dom.range(of: "</pre>", range: open.upperBound..<dom.endIndex) else {
            return XCTFail("the page shows no saved ratings: \(dom.suffix(2000))")
        }
        let saved = String(dom[open.upperBound..<close.lowerBound])
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        let ratings = try JSONValue.parse(saved)
        XCTAssertEqual(ratings["rater"]?.stringValue, "tester")
        XCTAssertEqual(ratings["ratings"]?.arrayValue?.count, 2)
        XCTAssertEqual(ratings["ratings"]?.arrayValue?.first?["scores_a"]?.arrayValue?.compactMap(\.intValue), [4, 5])
        XCTAssertEqual(ratings["ratings"]?.arrayValue?.first?["digest"]?.stringValue?.count, 16, "each rating carries its replies' digest")
        try saved.write(to: folder.appendingPathComponent("tester.json"), atomically: true, encoding: .utf8)

        // Back in the notebook's session: import ends the review with the key from the sidecar.
        let imported = try runBinary(binary, ["open", "nb.attune.md"], in: folder, input: "review import \"tester.json\"\n")
        XCTAssertEqual(imported.status, 0, imported.err)
        XCTAssertTrue(imported.out.contains("imported tester (2 ratings)"), imported.out)
        XCTAssertFalse((imported.out + imported.err).contains("have changed since"), "the replies rated are the replies now")
        XCTAssertTrue(imported.out.contains("2 of 6 items rated, 2 ratings by 1 rater (tester)"), imported.out)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("nb.review-key.json").path), "the key moved into the notebook")
        let notebook = try String(contentsOf: folder.appendingPathComponent("nb.attune.md"), encoding: .utf8)
        XCTAssertTrue(notebook.contains("key_seed"))
        // And the whole notebook verifies from its recording.
        let verified = try runBinary(binary, ["verify", "nb.attune.md"], in: folder)
        XCTAssertEqual(verified.status, 0, verified.out + verified.err)
    }
}
