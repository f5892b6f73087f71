import AttuneLanguage
import XCTest

/// The caret rendering: header, the source line, and an underline under the span.
final class DiagnosticRenderingTests: XCTestCase {
    private func rendered(_ source: String) -> String {
        Parser.parse(source: source).diagnostics.render(source: source)
    }

    func testUnknownCommand() {
        XCTAssertEqual(rendered("model load x\ntrian steps=5"), """
            line 2, column 1: unknown command 'trian' — did you mean 'train'?
                trian steps=5
                ^^^^^
            """)
    }

    func testSpanInTheMiddleOfALine() {
        XCTAssertEqual(rendered("model lod smollm2"), """
            line 1, column 7: unknown command 'model lod' — did you mean 'model load'?
                model lod smollm2
                      ^^^
            """)
    }

    func testTabsKeepTheCaretAligned() {
        XCTAssertEqual(rendered("\tset lr=\"abc"), """
            line 1, column 9: unterminated string: add a closing " before the end of the line
                \tset lr="abc
                \t       ^^^^
            """)
    }

    func testSeveralDiagnosticsAreSeparatedByABlankLine() {
        XCTAssertEqual(rendered("trian\nset x=[a b]"), """
            line 1, column 1: unknown command 'trian' — did you mean 'train'?
                trian
                ^^^^^

            line 2, column 10: expected ',' or ']' after a list item, found 'b'
                set x=[a b]
                         ^
            """)
    }

    func testUnclosedBracketPointsAtTheOpening() {
        XCTAssertEqual(rendered("method lora targets=[q_proj,\n  v_proj"), """
            line 1, column 21: '[' is never closed: add ']'
                method lora targets=[q_proj,
                                    ^
            """)
    }

    func testUnprintableCharactersAreReplaced() {
        XCTAssertEqual(rendered("train \u{1B} x"), """
            line 1, column 7: unexpected character U+001B
                train \u{FFFD} x
                      ^
            """)
    }

    func testLongLinesShowAWindow() {
        let source = "generate \"" + String(repeating: "x", count: 300) + "\" @ " + String(repeating: "y", count: 300)
        let lines = rendered(source).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines[0], "line 1, column 313: unexpected character '@'")
        XCTAssertTrue(lines[1].hasPrefix("    …"))
        XCTAssertTrue(lines[1].hasSuffix("…"))
        XCTAssertEqual(lines[1].count, 4 + 1 + 100 + 1)
        let caret = try? XCTUnwrap(lines[2].firstIndex(of: "^"))
        let at = try? XCTUnwrap(lines[1].firstIndex(of: "@"))
        XCTAssertEqual(caret.map { lines[2].distance(from: lines[2].startIndex, to: $0) },
                       at.map { lines[1].distance(from: lines[1].startIndex, to: $0) })
    }

    func testDiagnosticAtTheEndOfInput() {
        let diagnostic = Diagnostic("expected more", at: SourceRange(start: SourcePosition(offset: 5, line: 1, column: 6),
                                                                     end: SourcePosition(offset: 5, line: 1, column: 6)))
        XCTAssertEqual(diagnostic.length, 1)
        XCTAssertEqual(diagnostic.render(source: "train"), """
            line 1, column 6: expected more
                train
                     ^
            """)
    }

    func testWarningsSaySo() {
        let diagnostic = Diagnostic("lr=1 is far above the LoRA range 1e-4..3e-4",
                                    at: SourceRange(start: SourcePosition(offset: 4, line: 1, column: 5),
                                                    end: SourcePosition(offset: 8, line: 1, column: 9)),
                                    severity: .warning)
        XCTAssertEqual(diagnostic.render(source: "set lr=1"), """
            line 1, column 5: warning: lr=1 is far above the LoRA range 1e-4..3e-4
                set lr=1
                    ^^^^
            """)
    }
}
