import Essentials
import XCTest

/// The one JSON parser: values, byte offsets of errors and of parts, limits and bad bytes.
final class JSONParserTests: XCTestCase {
    private func error(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONParseError? {
        do {
            _ = try JSONValue.parse(text)
            XCTFail("\(text) parsed", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testValuesAndKeyOrder() throws {
        let value = try JSONValue.parse(#" {"b": 1, "a": [true, false, null], "c": {"z": "x", "y": -2.5e3}} "#)
        XCTAssertEqual(value.objectValue?.map { $0.key }, ["b", "a", "c"])
        XCTAssertEqual(value["c"]?.objectValue?.map { $0.key }, ["z", "y"])
        XCTAssertEqual(value["a"], .array([.bool(true), .bool(false), .null]))
        XCTAssertEqual(value["c"]?["y"]?.doubleValue, -2500)
        XCTAssertEqual(value["b"]?.intValue, 1)
        // Booleans are never numbers.
        XCTAssertNil(JSONValue.bool(true).doubleValue)
        XCTAssertNotEqual(JSONValue.bool(true), .number(1))
        // Duplicate keys are kept as read; lookups take the first.
        let duplicate = try JSONValue.parse(#"{"k": 1, "k": 2}"#)
        XCTAssertEqual(duplicate.objectValue?.count, 2)
        XCTAssertEqual(duplicate["k"]?.intValue, 1)
        // Order matters to ==, not to sameContent.
        let ab = try JSONValue.parse(#"{"a": 1, "b": [1, {"c": 2, "d": 3}]}"#)
        let ba = try JSONValue.parse(#"{"b": [1, {"d": 3, "c": 2}], "a": 1.0}"#)
        XCTAssertNotEqual(ab, ba)
        XCTAssertTrue(ab.sameContent(as: ba))
        XCTAssertFalse(ab.sameContent(as: try JSONValue.parse(#"{"a": 1, "b": [{"c": 2, "d": 3}, 1]}"#)))
    }

    func testNumbersKeepTheirSpellingAndComputedOnesPrintShortest() throws {
        let spellings = ["0", "-0", "1.50", "2e-5", "1E+3", "-2.5e3", "0.1", "12345678901234567890", "1e400"]
        for spelling in spellings {
            let value = try JSONValue.parse(spelling)
            XCTAssertEqual(value.text(), spelling, "a parsed number prints as it was written")
            XCTAssertEqual(value.doubleValue, Double(spelling), spelling)
        }
        let line = #"{"a": 1.50, "b": [1e-5, 3], "c": true}"#
        XCTAssertEqual(try JSONValue.parse(line).text(), line)
        XCTAssertEqual(try JSONValue.parse(line).text(.minimal), #"{"a":1.50,"b":[1e-5,3],"c":true}"#)
        // Computed numbers: whole numbers plainly, others in Swift's shortest round-trip form.
        let cases: [(Double, String)] = [(3, "3"), (-0.0, "0"), (0.1, "0.1"), (2e-4, "0.0002"), (1e-5, "1e-05"),
                                         (2.31, "2.31"), (1e15, "1000000000000000.0"), (1e16, "1e+16"), (999_999_999_999_999, "999999999999999"),
                                         (1.0 / 3.0, "0.3333333333333333"), (.nan, "null"), (.infinity, "null")]
        for (number, text) in cases {
            XCTAssertEqual(JSONValue.number(number).text(), text)
            if number.isFinite { XCTAssertEqual(Double(text), number, "\(text) reads back as the same double") }
        }
        // Shortest means round trip for any double: a fuzzed sample.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let d = Double(bitPattern: state >> 2)
            guard d.isFinite else { continue }
            XCTAssertEqual(Double(JSONValue.numberText(d)), d)
        }
    }

    func testStringsEscapesAndSurrogates() throws {
        XCTAssertEqual(try JSONValue.parse(#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00""#), .string("a\"b\\c/d\u{08}\u{0C}\n\r\té😀"))
        XCTAssertEqual(try JSONValue.parse("\"héllo 😀\""), .string("héllo 😀"))
        // The one escaper: short escapes, \u00XX for other controls and DEL, non-ASCII kept.
        let text = "q\"b\\n\nr\rt\tb\u{08}f\u{0C}z\u{00}d\u{7F}é😀`"
        XCTAssertEqual(JSONValue.quoted(text), #""q\"b\\n\nr\rt\tb\bf\fz\u0000d\u007fé😀`""#)
        XCTAssertEqual(JSONValue.quoted("`x`", escapingBacktick: true), #""\u0060x\u0060""#)
        XCTAssertEqual(try JSONValue.parse(JSONValue.quoted(text)), .string(text), "escaping round-trips")
        XCTAssertEqual(try JSONValue.parse(JSONValue.quoted(text, escapingBacktick: true)), .string(text))
    }

    func testErrorsCarryByteOffsetsAndNameTheProblem() {
        // (text, byte offset, message)
        let cases: [(String, Int, String)] = [
            ("", 0, "empty JSON text"),
            ("   ", 0, "empty JSON text"),
            (#"{"a": 1"#, 7, "the line ends inside an object; expected ',' or '}' (is the line cut short?)"),
            (#"{"a": "#, 6, "the line ends where a value was expected (is the line cut short?)"),
            ("[1, 2", 5, "the line ends inside an array; expected ',' or ']' (is the line cut short?)"),
            (#"{"a": 1,}"#, 8, "trailing comma before '}'; remove the comma"),
            ("[1,]", 3, "trailing comma before ']'; remove the comma"),
            (#"{"a" 1}"#, 5, #"expected ':' after key "a", found '1'"#),
            (#"{"a": 1 "b": 2}"#, 8, #"expected ',' or '}' after the value of "a", found '"'"#),
            ("{a: 1}", 1, "expected a key in double quotes, found 'a'"),
            ("[1 2]", 3, "expected ',' or ']' in array, found '2'"),
            ("{'a': 1}", 1, "expected a key in double quotes, found '''"),
            ("['a']", 1, "strings must use double quotes (\"), not single quotes"),
            (#"{"é": x}"#, 7, "expected a value, found 'x'"),
            ("True", 0, "expected a value, found 'T'"),
            ("[tru]", 1, "invalid literal; expected true (JSON literals are lowercase: true, false, null)"),
            ("01", 0, "invalid number: leading zeros are not allowed in JSON"),
            ("-x", 0, "invalid number: '-' must be followed by a digit"),
            ("[1.]", 1, "invalid number: '.' must be followed by a digit"),
            ("1e", 0, "invalid number: exponent needs digits"),
            (#""ab"#, 0, "unterminated string (no closing double quote before the end of the line)"),
            ("\"a\u{01}\"", 2, "unescaped control character in string; write it as \\n, \\t or \\u00XX"),
            (#"["\x"]"#, 2, #"invalid escape '\x'; valid escapes are \" \\ \/ \b \f \n \r \t \uXXXX"#),
            (#""\u12"#, 1, #"\u must be followed by four hex digits"#),
            (#""\ud83d""#, 1, #"unpaired surrogate \ud83d; a high surrogate must be followed by a low one"#),
            (#""\ud83d\u0041""#, 1, "invalid surrogate pair in \\u escape"),
            (#""\ude00""#, 1, #"unpaired low surrogate \ude00"#),
            ("{} x", 3, "unexpected 'x' after the end of the JSON value (one object per line)"),
            ("1\u{0B}", 1, "unexpected control character U+000B after the end of the JSON value (one object per line)"),
        ]
        for (text, offset, message) in cases {
            guard let error = error(text) else { continue }
            XCTAssertEqual(error.offset, offset, text)
            XCTAssertEqual(error.message, message, text)
            XCTAssertEqual(error.description, "\(message) at offset \(offset)")
        }
        if case .valueExpected(_, let scalar)? = error("  é")?.problem { XCTAssertEqual(scalar, "é") } else { XCTFail("é is no value") }
    }

    func testDeepNestingIsRejectedWithoutExhaustingTheStack() throws {
        let limit = JSONValue.maximumDepth
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        XCTAssertNotNil(try JSONValue.parse(deepest).arrayValue)
        for opener in ["[", #"{"k":"#] {
            let tooDeep = String(repeating: opener, count: limit + 1)
            let error = error(tooDeep)
            XCTAssertEqual(error?.message, "nesting deeper than \(limit) levels")
            XCTAssertEqual(error?.offset, limit * opener.utf8.count, "the offset of the opener one level too deep")
        }
        // A hostile line a million brackets deep fails fast, not by overflowing the stack.
        XCTAssertEqual(error(String(repeating: "[", count: 1_000_000))?.problem, .tooDeep(limit: limit))
    }

    func testInvalidUTF8InsideStringsIsAnErrorAtItsByte() {
        let cases: [([UInt8], Int)] = [
            ([0x22, 0x61, 0xFF, 0x22], 2),              // a byte that never starts UTF-8
            ([0x22, 0xC3, 0x28, 0x22], 2),              // lead byte without its continuation
            ([0x22, 0xC0, 0xAF, 0x22], 1),              // overlong "/"
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 1),        // UTF-16 surrogate encoded in UTF-8
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1),  // past U+10FFFF
            ([0x22, 0xE2, 0x82], 3),                    // cut off at the end
        ]
        for (bytes, offset) in cases {
            do {
                _ = try JSONValue.parse(bytes)
                XCTFail("\(bytes) parsed")
            } catch {
                guard case .invalidUTF8 = error.problem else { XCTFail("\(bytes): \(error)"); continue }
                XCTAssertEqual(error.offset, offset, "\(bytes)")
            }
        }
        XCTAssertEqual(try JSONValue.parse([0x22, 0xE2, 0x82, 0xAC, 0x22]), .string("€"))
        // Outside strings, a non-ASCII byte is an unexpected character.
        XCTAssertThrowsError(try JSONValue.parse([0xFF]))
    }

    func testLocationsPointAtEveryPart() throws {
        let text = #"{"messages": [{"role": "user"}, 7], "n": null}"#
        let located = try JSONValue.parseLocated(text)
        XCTAssertEqual(located.offset, 0)
        let members = try XCTUnwrap(located.members)
        XCTAssertEqual(members.map(\.key), ["messages", "n"])
        XCTAssertEqual(members.map(\.keyOffset), [1, 36])
        XCTAssertEqual(members.member("n")?.node.offset, 41)
        let elements = try XCTUnwrap(members.member("messages")?.node.elements)
        XCTAssertEqual(elements.map(\.offset), [14, 32])
        XCTAssertEqual(elements[0].members?.first?.node.offset, 23)
        XCTAssertEqual(elements[0].members?.first?.node.value, .string("user"))
        XCTAssertNil(elements[1].members)
        // Without locations the same value comes back.
        XCTAssertEqual(try JSONValue.parse(text), located.value)
    }

    func testPrefixParsingStopsAfterTheValue() throws {
        let bytes = Array(#"tags=["a","b"] next=1"#.utf8)
        let (value, end) = try JSONValue.parsePrefix(bytes, from: 5)
        XCTAssertEqual(value, .array([.string("a"), .string("b")]))
        XCTAssertEqual(end, 14)
        XCTAssertThrowsError(try JSONValue.parsePrefix(Array("x={".utf8), from: 2))
    }
}
