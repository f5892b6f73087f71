import AttuneLanguage
import Foundation
import XCTest

final class GrammarTests: XCTestCase {
    /// The doc comment of `Grammar` and `Grammar.text` (shown by `help syntax`) must say the same.
    func testDocCommentMatchesText() throws {
        let testFile = URL(fileURLWithPath: #filePath)
        let grammarFile = testFile.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/AttuneLanguage/Grammar.swift")
        let source = try String(contentsOf: grammarFile, encoding: .utf8)
        let commentLines = source.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { $0.hasPrefix("///     ") || $0 == "///" }
            .map { $0 == "///" ? "" : String($0.dropFirst("///     ".count)) }
        let docText = commentLines.joined(separator: "\n").trimmingCharacters(in: .newlines)
        XCTAssertEqual(docText, Grammar.text)
    }

    /// Every example in the grammar text parses without a diagnostic.
    func testExamplesParse() {
        let examples = Grammar.text.components(separatedBy: "Examples:\n")[1]
        let result = Parser.parse(source: examples)
        XCTAssertEqual(result.diagnostics, [])
        XCTAssertEqual(result.statements.count, 13)
    }
}
