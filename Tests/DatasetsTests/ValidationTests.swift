import XCTest
@testable import Datasets

/// Every validation error class, from a file written here, with its line, column and message.
final class ValidationTests: XCTestCase {
    let good = #"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}"#

    /// Loads `badLine` after one good line (lenient) and returns the single issue.
    func issue(_ badLine: String, file: String = "case.jsonl", format: DataFormat? = nil) throws -> DataIssue {
        let path = try TestData.write(self, file, lines: [good, badLine, good])
        let dataset = try DatasetLoader.load(path: path, format: format, mode: .lenient)
        XCTAssertEqual(dataset.count, 2, "the good lines load")
        XCTAssertEqual(dataset.skipped.count, 1)
        let issue = try XCTUnwrap(dataset.skipped.first)
        XCTAssertEqual(issue.location.file, file)
        XCTAssertEqual(issue.location.line, 2)
        return issue
    }

    func testTable() throws {
        // (line, kind, column, message fragment)
        let cases: [(String, DataIssueKind, Int?, String)] = [
            (#"{"messages": [{"role": "user", "content": "Hi"}"#, .invalidJSON, 48, "expected ',' or ']'"),
            (#"{"messages": [{"role": "user", "content": 'Hi'}]}"#, .invalidJSON, 43, "double quotes"),
            (#"{"messages": [], }"#, .invalidJSON, 18, "trailing comma"),
            (#"{"text": "a"} {"text": "b"}"#, .invalidJSON, 15, "after the end of the JSON value"),
            (#"[1, 2]"#, .notAnObject, 1, "the line is an array, not an object"),
            (#""just a string""#, .notAnObject, 1, "a string, not an object"),
            (#"{"mesages": [{"role": "user", "content": "Hi"}]}"#, .missingKey, 2, "unknown key 'mesages'; did you mean 'messages'?"),
            (#"{"messages": "Hi there"}"#, .wrongType, 14, "'messages' must be an array"),
            (#"{"messages": ["Hi", "Hello"]}"#, .wrongType, 15, "messages[0] must be an object"),
            (#"{"messages": [{"role": "user", "content": 42}, {"role": "assistant", "content": "ok"}]}"#, .wrongType, 43, "messages[0].content must be a string, not a number"),
            (#"{"messages": [{"role": 1, "content": "x"}, {"role": "assistant", "content": "ok"}]}"#, .wrongType, 24, "messages[0].role must be a string"),
            (#"{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "ok", "weight": true}]}"#, .wrongType, 98, "weight must be a number ≥ 0"),
            (#"{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "ok", "weight": -1}]}"#, .wrongType, 98, "weight must be a number ≥ 0"),
            (#"{"messages": [{"rol": "user", "content": "x"}, {"role": "assistant", "content": "ok"}]}"#, .missingKey, 16, "unknown key 'rol' in messages[0]; did you mean 'role'?"),
            (#"{"messages": [{"role": "user", "text": "x"}, {"role": "assistant", "content": "ok"}]}"#, .missingKey, 15, "messages[0] (user) has no 'content'"),
            (#"{"messages": [{"role": "human", "content": "x"}, {"role": "assistant", "content": "ok"}]}"#, .unknownRole, 24, "unknown role 'human' in messages[0]; did you mean 'user'?"),
            (#"{"messages": [{"role": "user", "content": "x"}, {"role": "asistant", "content": "ok"}]}"#, .unknownRole, 58, "did you mean 'assistant'?"),
            (#"{"messages": [{"role": "user", "content": "Hi"}]}"#, .noAssistantTurn, 14, "no assistant message"),
            (#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}, {"role": "user", "content": "?"}]}"#, .endsWithoutAssistant, 90, "ends on a user turn"),
            (#"{"messages": []}"#, .emptyConversation, 14, "'messages' is empty"),
            (#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": " \n "}]}"#, .emptyContent, 83, "messages[1] (assistant) has empty content"),
            (#"{"prompt": "Q", "completion": "A"}"#, .mixedFormat, 2, "the line is in completion format but the file is chat (from line 1)"),
            (#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}], "text": "x"}"#, .mixedFormat, 2, "mixes formats"),
            (#"{"question": "Hi", "answer": "Yo"}"#, .missingKey, 1, "missing key 'messages'"),
        ]
        for (line, kind, column, fragment) in cases {
            let found = try issue(line)
            XCTAssertEqual(found.kind, kind, line)
            XCTAssertEqual(found.location.column, column, "\(line): \(found)")
            XCTAssertTrue(found.message.contains(fragment), "\(found.message) should contain \(fragment)")
        }
    }

    func testInvalidUTF8HasByteColumn() throws {
        let path = try TestData.write(self, "bytes.jsonl", bytes: Array(good.utf8) + [0x0A]
            + Array(#"{"text": "caf"#.utf8) + [0xE9] + Array(#""}"#.utf8) + [0x0A])
        XCTAssertThrowsError(try DatasetLoader.load(path: path)) { error in
            guard case DatasetError.invalidLines(let issues) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(issues[0].kind, .invalidUTF8)
            XCTAssertEqual(issues[0].location, SourceLocation(file: "bytes.jsonl", line: 2, column: 14))
            XCTAssertEqual(issues[0].message, "invalid UTF-8 (byte 0xE9 at byte 14); save the file as UTF-8")
        }
    }

    func testFormatSpecificKeysAndTypes() throws {
        func firstIssue(_ lines: [String], format: DataFormat? = nil) throws -> DataIssue {
            let path = try TestData.write(self, "f.jsonl", lines: lines)
            let dataset = try DatasetLoader.load(path: path, format: format, mode: .lenient)
            return try XCTUnwrap(dataset.skipped.first)
        }
        var found = try firstIssue([#"{"instruction": "Sum", "input": "1 2", "output": "3"}"#, #"{"instruction": "Sum", "outptu": "3"}"#])
        XCTAssertEqual(found.kind, .missingKey)
        XCTAssertEqual(found.message, "unknown key 'outptu'; did you mean 'output'? (the instruction format needs 'output')")
        XCTAssertEqual(found.location.column, 24)
        found = try firstIssue([#"{"prompt": "a", "completion": "b"}"#, #"{"prompt": "a", "completion": 3}"#])
        XCTAssertEqual(found.kind, .wrongType)
        XCTAssertEqual(found.message, "'completion' must be a string, not a number (write \"3\" in quotes)")
        found = try firstIssue([#"{"text": "ok"}"#, #"{"text": ""}"#])
        XCTAssertEqual(found.kind, .emptyContent)
        XCTAssertEqual(found.message, "'text' is empty; give it text or remove the line")
        found = try firstIssue([#"{"text": "ok"}"#, #"{"text": true}"#])
        XCTAssertEqual(found.message, "'text' must be a string, not a boolean")
        found = try firstIssue([good, #"{"text": "ok"}"#], format: .chat)
        XCTAssertEqual(found.kind, .mixedFormat)
        XCTAssertEqual(found.message, "the line is in text format but the file is chat (as named); keep one format per file")
        found = try firstIssue([#"{"foo": 1}"#, #"{"text": "ok"}"#])
        XCTAssertEqual(found.kind, .unknownFormat)
        XCTAssertEqual(found.message, "no 'messages', 'instruction', 'prompt' or 'text' key (found 'foo'); see the data formats in `help data`")
    }

    func testStrictStopsAtFirstErrorWithLocation() throws {
        let path = try TestData.write(self, "strict.jsonl", lines: [good, good, #"{"messages": [{"role": "user", "content": "Hi"}]}"#, "not json"])
        XCTAssertThrowsError(try DatasetLoader.load(path: path)) { error in
            guard case DatasetError.invalidLines(let issues) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(issues.count, 1)
            XCTAssertEqual(issues[0].location.description, "strict.jsonl:3:14")
            XCTAssertTrue("\(error)".contains("mode=lenient"), "\(error)")
        }
    }

    func testLenientReportsEveryBadLine() throws {
        let path = try TestData.write(self, "lenient.jsonl", lines: [good, "{", good, "[]", "", "   ", good, #"{"messages": 1}"#])
        let dataset = try DatasetLoader.load(path: path, mode: .lenient)
        XCTAssertEqual(dataset.count, 3)
        XCTAssertEqual(dataset.examples.map(\.line), [1, 3, 7])
        XCTAssertEqual(dataset.skipped.map(\.location.line), [2, 4, 8])
        XCTAssertEqual(dataset.blankLines, 2)
        XCTAssertEqual(dataset.summary, "lenient.jsonl: 3 examples (chat), 3 invalid lines skipped (1 invalid-json, 1 not-an-object, 1 wrong-type)")
    }

    func testDetectsEachFormatAndReadsFields() throws {
        let path = try TestData.write(self, "i.jsonl", lines: [
            #"{"instruction": "Classify", "input": "I love it", "output": "positive", "label": "positive"}"#,
            #"{"instruction": "Say hi", "output": "hi", "input": null}"#,
        ])
        let dataset = try DatasetLoader.load(path: path)
        XCTAssertEqual(dataset.format, .instruction)
        XCTAssertEqual(dataset.examples[0].content, .instruction(instruction: "Classify", input: "I love it", output: "positive"))
        XCTAssertEqual(dataset.examples[0].label, "positive")
        XCTAssertEqual(dataset.examples[1].content, .instruction(instruction: "Say hi", input: "", output: "hi"))
        XCTAssertEqual(dataset.schemas, ["instruction,input,output,label", "instruction,output,input"])

        let chat = try DatasetLoader.parse(#"{"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "\u00e9\n\"q\""}, {"role": "assistant", "content": "A", "weight": 0}]}"#)
        guard case .chat(let messages) = chat.examples[0].content else { return XCTFail() }
        XCTAssertEqual(messages.map(\.role), ["system", "user", "assistant"])
        XCTAssertEqual(messages[1].content, "é\n\"q\"")
        XCTAssertEqual(messages[2].weight, 0)
        XCTAssertEqual(try DatasetLoader.parse(#"{"prompt": "p", "completion": "c"}"#).format, .completion)
        XCTAssertEqual(try DatasetLoader.parse("\u{FEFF}{\"text\": \"t\"}\r\n").examples[0].content, .text("t"))
    }

    func testLongLinesAcrossChunksAndMissingFinalNewline() throws {
        let long = String(repeating: "word ", count: 300_000)   // 1.5 MB, more than one read chunk
        let url = try TestData.temporaryDirectory(self).appendingPathComponent("long.jsonl")
        try Data((#"{"text": "\#(long)"}"# + "\n" + #"{"text": "last"}"#).utf8).write(to: url)
        let dataset = try DatasetLoader.load(path: url.path)
        XCTAssertEqual(dataset.count, 2)
        XCTAssertEqual(dataset.examples[0].content, .text(long))
        XCTAssertEqual(dataset.examples[1].line, 2)
    }

    func testFileErrors() {
        XCTAssertThrowsError(try DatasetLoader.load(path: "/nonexistent/x.jsonl")) { error in
            XCTAssertTrue("\(error)".hasPrefix("/nonexistent/x.jsonl: cannot open"), "\(error)")
        }
        XCTAssertThrowsError(try DatasetLoader.parse("\n\n", file: "empty.jsonl")) { error in
            XCTAssertEqual("\(error)", "empty.jsonl: the file has no examples (one JSON object per line expected)".replacingOccurrences(of: "empty.jsonl:", with: "\((error as! DatasetError).path):"))
        }
    }
}

extension DatasetError {
    /// The path of a `noExamples` or `file` error (tests).
    var path: String {
        switch self {
        case .noExamples(let path, _), .file(let path, _): return path
        default: return ""
        }
    }
}
