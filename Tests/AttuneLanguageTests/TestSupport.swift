import AttuneLanguage
import XCTest

/// One line per statement (its canonical tree form) and one per diagnostic (`L:C+len message`):
/// the format of the golden tables.
func dump(_ source: String) -> String {
    let result = Parser.parse(source: source)
    let statements = result.statements.map(\.description)
    let diagnostics = result.diagnostics.map { "\($0.line):\($0.column)+\($0.length) \($0.message)" }
    return (statements + diagnostics).joined(separator: "\n")
}

/// Checks each golden case and reports the failing source, so one table covers many inputs.
func assertGolden(_ cases: [(source: String, expected: String)], file: StaticString = #filePath, line: UInt = #line) {
    for (source, expected) in cases {
        XCTAssertEqual(dump(source), expected, "source: \(source.debugDescription)", file: file, line: line)
    }
}

/// The single statement a source parses to, failing the test when there are diagnostics.
func onlyStatement(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> Statement? {
    let result = Parser.parse(source: source)
    XCTAssertEqual(result.diagnostics, [], "source: \(source.debugDescription)", file: file, line: line)
    XCTAssertEqual(result.statements.count, 1, "source: \(source.debugDescription)", file: file, line: line)
    return result.statements.first
}

/// The value of the first argument of a one-statement source.
func firstValue(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> Value? {
    onlyStatement(source, file: file, line: line)?.command?.arguments.first?.value
}
