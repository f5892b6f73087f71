import AttuneLanguage
import XCTest

/// Invalid inputs with their expected messages, columns and lengths (`line:column+length message`).
final class ParserErrorTests: XCTestCase {
    func testCommandWords() {
        assertGolden([
            ("trian steps=5", "1:1+5 unknown command 'trian' — did you mean 'train'?"),
            ("model lod x", "1:7+3 unknown command 'model lod' — did you mean 'model load'?"),
            ("modle load x", "1:1+5 unknown command 'modle' — did you mean 'model load'?"),
            ("load model x", "1:1+10 unknown command 'load model' — did you mean 'model load'? (noun first, then verb)"),
            ("data chek", "1:6+4 unknown command 'data chek' — did you mean 'data check'?"),
            ("export ggfu \"x\"", "1:8+4 unknown command 'export ggfu' — did you mean 'export gguf'?"),
            ("adapter frobnicate", "1:9+10 unknown command 'adapter frobnicate': 'adapter' takes save or load"),
            ("model", "1:1+5 'model' needs one of: load, new or info"),
            ("model 5", "1:7+1 'model' needs one of: load, new or info"),
            ("xyzzy", "1:1+5 unknown command 'xyzzy'; type help to list the commands"),
            ("TRAIN", "1:1+5 unknown command 'TRAIN' — did you mean 'train'?"),
            ("5", "1:1+1 a statement starts with a command such as train or model load, found '5'"),
            ("[", "1:1+1 a statement starts with a command such as train or model load, found '['"),
            ("\"eval\"", "1:1+6 a statement starts with a command such as train or model load, found '\"eval\"'"),
        ])
    }

    /// A long word pasted at the prompt is quoted clipped (40 characters and …), however long.
    func testLongWordsAreClippedInMessages() {
        let long = String(repeating: "x", count: 3000)
        let clipped = String(repeating: "x", count: 40) + "…"
        assertGolden([
            (long, "1:1+3000 unknown command '\(clipped)'; type help to list the commands"),
            ("model " + long, "1:7+3000 unknown command 'model \(clipped)': 'model' takes load, new or info"),
            ("\"" + long + "\"", "1:1+3002 a statement starts with a command such as train or model load, found '\"\(String(repeating: "x", count: 39))…'"),
        ])
        XCTAssertEqual("x".clippedForMessage, "x")
        XCTAssertEqual(String(repeating: "é", count: 41).clippedForMessage, String(repeating: "é", count: 40) + "…")
    }

    func testBindingsAndEquals() {
        assertGolden([
            // A name and '=' before something that is not a command assign a variable (the
            // interpreter warns when the name is a hyperparameter's).
            ("lr=2e-4", "(set-var lr 0.0002)"),
            ("schedule=cosine", "(set-var schedule cosine)"),
            ("train = eval",
             "1:1+5 'train' is a command and cannot name a result; arguments follow the command, e.g. train [steps=N|epochs=N]"),
            ("*x = eval", "1:1+2 a result name cannot contain '*'"),
            ("= 3", "1:1+1 '=' needs a name before it, e.g. set lr=2e-4"),
            ("set =5", "1:5+1 '=' needs a name before it, e.g. lr=2e-4"),
            ("set lr=", "1:5+3 missing value after 'lr=': write e.g. lr=2e-4"),
            ("set warmup= # none", "1:5+7 missing value after 'warmup=': write e.g. warmup=VALUE"),
            ("set x=[a, b=]", "1:11+2 a list holds values, not key=value pairs"),
            ("set lr=1 lr=2", "1:10+2 'lr' is given twice (first at column 5); keep one"),
            ("set a.b=1", "1:5+4 only a plain name can come before '=': 'a.b' cannot be a key"),
            ("set \"k\"=1", "1:5+4 only a plain name can come before '=': '\"k\"' cannot be a key"),
            ("set x=[a=1]", "1:8+2 a list holds values, not key=value pairs"),
            ("set q_*=1", "1:5+3 a key cannot contain '*': write a name such as lr=2e-4"),
        ])
    }

    func testBrackets() {
        assertGolden([
            ("set x=[a, b", "1:7+1 '[' is never closed: add ']'"),
            ("show x[0:4", "1:7+1 '[' is never closed: add ']'"),
            ("set x=(1,\n2\n", "1:7+1 '(' is never closed: add ')'"),
            ("set x=[a, b)", "1:12+1 expected ']' to close the '[' at line 1, column 7, found ')'"),
            ("set t=(1, 2]", "1:12+1 expected ')' to close the '(' at line 1, column 7, found ']'"),
            ("train ]", "1:7+1 unmatched ']': there is no '[' before it"),
            ("train )", "1:7+1 unmatched ')': there is no '(' before it"),
            ("set x=[a b]", "1:10+1 expected ',' or ']' after a list item, found 'b'"),
            ("set x=[a,,b]", "1:10+1 unexpected ',': an item is missing before it"),
            ("set x=[,a]", "1:8+1 unexpected ',': an item is missing before it"),
            ("show x[]", "1:7+2 empty brackets: write an index or a slice, e.g. [0] or [0:4]"),
            ("show x[0.5]", "1:8+3 an index must be a whole number, found '0.5'"),
            ("show x[1e2]", "1:8+3 an index must be a whole number, found '1e2'"),
            ("show x[a]", "1:8+1 an index must be a whole number, found 'a'"),
            ("show x[::0]", "1:10+1 a slice step cannot be 0"),
            ("show x[0 1]", "1:10+1 expected ',' or ']' after a slice, found '1'"),
            ("set r=" + String(repeating: "[", count: 70) + "1" + String(repeating: "]", count: 70),
             "1:71+1 brackets nest too deeply (more than 64 levels)"),
        ])
    }

    func testPaths() {
        assertGolden([
            ("show x.", "1:7+1 a path cannot end with '.': write the next part right after it, e.g. lora_A.grad"),
            ("show x. y", "1:7+1 a path cannot end with '.': write the next part right after it, e.g. lora_A.grad"),
            ("show x.-1", "1:8+2 after '.' a path takes a name or an index such as 0, found '-1'"),
            ("show x.\"a\"", "1:8+3 after '.' a path takes a name or an index such as 0, found '\"a\"'"),
            ("show x .grad", "1:8+1 unexpected '.': a path is written without spaces, e.g. layers.0.attn"),
            ("set a=true.x", "1:11+1 unexpected '.' right after 'true'"),
        ])
    }

    func testStrayTokens() {
        assertGolden([
            ("train steps=5,", "1:14+1 unexpected ',': arguments are separated by spaces; commas separate items inside [ ]"),
            ("show a:b", "1:7+1 unexpected ':': colons belong in slices such as x[0:4]"),
            ("compare a ? b", "1:11+1 '?' asks for help only at the start of a line, e.g. ?lr"),
            ("generate \"x\"max=3", "1:13+3 put a space between arguments: 'max' touches '\"x\"'"),
            ("set x=[a][b]", "1:10+1 put a space between arguments: '[' touches ']'"),
        ])
    }

    func testLexicalErrors() {
        assertGolden([
            ("generate \"abc", "1:10+4 unterminated string: add a closing \" before the end of the line"),
            ("generate 'abc", "1:10+4 unterminated string: add a closing ' before the end of the line"),
            ("generate \"abc\ntrain", "(train)\n1:10+4 unterminated string: add a closing \" before the end of the line"),
            ("generate \"\\q\"", "1:11+2 unknown escape '\\q': use \\n \\t \\r \\0 \\\\ \\\" \\' or \\u{…}; write \\\\ for a backslash"),
            ("generate \"\\u{D800}\"",
             "1:11+7 invalid unicode escape: write \\u{…} with 1 to 8 hex digits of a valid code point, e.g. \\u{1F600}"),
            ("generate \"\\u{}\"",
             "1:11+3 invalid unicode escape: write \\u{…} with 1 to 8 hex digits of a valid code point, e.g. \\u{1F600}"),
            ("train steps=5 @", "1:15+1 unexpected character '@'"),
            ("train ;", "1:7+1 unexpected ';': write one statement per line"),
            ("data load out/x.jsonl", "1:14+1 unexpected '/': file paths must be quoted, e.g. \"out/model.gguf\"; in arguments a division goes in parentheses, e.g. (n / 2)"),
            ("set x={a}", "1:7+1 unexpected '{': lists are written in square brackets, e.g. [q_proj, v_proj]\n"
                + "1:9+1 unmatched '}': there is no '{' before it"),
            ("set a=10k", "1:7+3 '10k' is not a number: numbers look like 42, -1, 0.9, 2e-4, 1_000 or 90%"),
            ("set a=2e", "1:7+2 '2e' is not a number: numbers look like 42, -1, 0.9, 2e-4, 1_000 or 90%"),
            ("set a=1_", "1:7+2 '1_' is not a number: numbers look like 42, -1, 0.9, 2e-4, 1_000 or 90%"),
            ("set lr=1.2.3", "1:8+5 '1.2.3' is not a number: numbers look like 42, -1, 0.9, 2e-4, 1_000 or 90%"),
            ("set a=.5", "1:7+2 write a leading zero: 0.5, not .5"),
            ("set a=1e999", "1:7+5 the number 1e999 is too large"),
            ("train - 5", "1:7+1 unexpected '-': a sign must touch its number, e.g. -1; in arguments arithmetic goes in parentheses, e.g. steps=(n + 1)"),
            ("train --steps 5", "1:7+7 '--steps' is not an argument: write options as key=value, e.g. merge=true"),
            ("set a %", "1:7+1 unexpected '%': a percent sign follows a number directly, e.g. 90%"),
            ("generate “hello”", "1:10+7 typographic quotes: use plain quotes, e.g. \"hello\""),
            ("generate ‘x", "1:10+1 unexpected typographic quote '‘': use plain quotes \" or '"),
            ("train \\ x", "1:7+1 a '\\' continues a statement only at the end of a line; inside strings write \\\\"),
            ("\u{7}\u{1}\u{2}", "1:1+3 unexpected characters U+0007 U+0001 U+0002"),
            ("train 😀", "1:7+1 unexpected character '😀'"),
        ])
    }

    func testEveryErrorIsReportedAndGoodLinesStillParse() {
        let script = """
            model load smollm2
            trian steps=5
            set lr=2e-4 lr=3e-4
            method lora targets=[q_proj, v_proj
            eval
            generate "unterminated
            model lod
            plot loss
            """
        assertGolden([(script, """
            (model load id:smollm2)
            (eval)
            (plot id:loss)
            2:1+5 unknown command 'trian' — did you mean 'train'?
            3:13+2 'lr' is given twice (first at column 5); keep one
            4:21+1 '[' is never closed: add ']'
            6:10+13 unterminated string: add a closing " before the end of the line
            7:7+3 unknown command 'model lod' — did you mean 'model load'?
            """)])
    }

    func testRecoveryInsideMultiLineLists() {
        assertGolden([
            ("method lora targets=[\n  q_proj v_proj\n]\ntrian",
             "2:10+6 expected ',' or ']' after a list item, found 'v_proj'\n4:1+5 unknown command 'trian' — did you mean 'train'?"),
            ("set x=[1,\n  2\n  3]\neval", "(eval)\n3:3+1 expected ',' or ']' after a list item, found '3'"),
            ("train steps=5 @ x=[\n1]\neval", "(eval)\n1:15+1 unexpected character '@'"),
        ])
    }

    func testSuggestionsAreAttachedToDiagnostics() {
        let cases: [(String, String?)] = [
            ("trian", "train"), ("model lod", "load"), ("load model", "model load"), ("set a=.5", "0.5"),
            ("generate “hi”", "\"hi\""), ("xyzzy", nil),
        ]
        for (source, suggestion) in cases {
            let diagnostics = Parser.parse(source: source).diagnostics
            XCTAssertEqual(diagnostics.count, 1, source)
            XCTAssertEqual(diagnostics.first?.suggestion, suggestion, source)
        }
    }

    func testErrorLinesYieldNoStatement() {
        let result = Parser.parse(source: "train steps=5 @\neval")
        XCTAssertEqual(result.statements.map { $0.command?.name }, ["eval"])
        XCTAssertTrue(result.hasErrors)
    }
}
