import XCTest
@testable import AttuneNotebook

/// The `numerics` front-matter key: how the engine rounded when the notebook was recorded.
final class NumericsKeyTests: XCTestCase {
    func testTheNumericsKeyReadsWritesAndRoundTrips() throws {
        let text = """
            ---
            format: "attune-notebook/1"
            numerics: {"mode": "reproducible", "kernels": "avx512", "threads": 2, "cpu": "GenuineIntel family 6 model 143"}
            ---

            """
        let document = try NotebookReader.read(text)
        XCTAssertEqual(document.frontMatter?.numerics,
                       NumericsInfo(mode: "reproducible", kernels: "avx512", threads: 2, cpu: "GenuineIntel family 6 model 143"))
        XCTAssertEqual(document.frontMatter?.recordedNumericsMode, "reproducible")
        XCTAssertEqual(NotebookWriter.write(document), text, "read and written back byte for byte")
        var matter = FrontMatter()
        matter.numerics = NumericsInfo(mode: "fast", kernels: "avx2", threads: 4)
        XCTAssertEqual(matter.rawValue(forKey: "numerics"), #"{"mode": "fast", "kernels": "avx2", "threads": 4}"#)
        XCTAssertEqual(matter.numerics?.machine, "4 threads")
    }

    func testANotebookWithoutTheKeyWasRecordedInFast() throws {
        let document = try NotebookReader.read("---\nformat: \"attune-notebook/1\"\n---\n")
        XCTAssertNil(document.frontMatter?.numerics)
        XCTAssertEqual(document.frontMatter?.recordedNumericsMode, "fast")
    }

    func testAnUnknownModeIsAnErrorAtItsLine() {
        XCTAssertThrowsError(try NotebookReader.read("---\nseed: 1\nnumerics: {\"mode\": \"fsat\"}\n---\n")) { error in
            let error = error as? NotebookReadError
            XCTAssertEqual(error?.line, 3)
            XCTAssertEqual(error?.message, "'numerics' must be an object whose 'mode' is \"reproducible\", \"fast\" or \"bf16\"")
        }
    }
}
