import AttuneLanguage
import XCTest

final class LexerTests: XCTestCase {
    private func kinds(_ source: String) -> String {
        Lexer(source).tokens().map(\.description).joined(separator: " ")
    }

    func testTokenKinds() {
        let cases: [(String, String)] = [
            ("", "end"),
            ("model load smollm2", "name(model) name(load) name(smollm2) end"),
            ("lr=2e-4", "name(lr) = number(0.0002) end"),
            ("set a=-1 b=+2 c=0.9 d=1_000 e=90% f=1E3", "name(set) name(a) = number(-1) name(b) = number(2) name(c) = number(0.9) "
                + "name(d) = number(1000) name(e) = percent(90) name(f) = number(1000) end"),
            ("\"a\\tb\" 'c'", "string(\"a\\tb\") string(\"c\") end"),
            ("true false truex", "bool(true) bool(false) name(truex) end"),
            ("all-linear q_proj lora_B x-", "name(all-linear) name(q_proj) name(lora_B) name(x) invalid(-) end"),
            ("layers.0.attn", "name(layers) . number(0) . name(attn) end"),
            ("layers.0.1", "name(layers) . number(0) . number(1) end"),
            ("0.1", "number(0.1) end"),
            ("x[0:4, :8]", "name(x) [ number(0) : number(4) , : number(8) ] end"),
            ("layers.*.attn.*", "name(layers) . name(*) . name(attn) . name(*) end"),
            ("?lr", "? name(lr) end"),
            ("(a)", "( name(a) ) end"),
            ("a # comment\nb", "name(a) newline name(b) end"),
            ("a \\\nb", "name(a) name(b) end"),
            ("[a,\nb]", "[ name(a) , newline name(b) ] end"),
            ("@", "invalid(@) end"),
        ]
        for (source, expected) in cases {
            XCTAssertEqual(kinds(source), expected, source.debugDescription)
        }
    }

    func testPositionsAreOneBasedAndCountScalars() {
        let tokens = Lexer("eval\n  tokenize \"é😀\" top=5").tokens()
        let positions = tokens.map { "\($0.range.start.line):\($0.range.start.column)+\($0.range.length)" }
        XCTAssertEqual(positions, ["1:1+4", "1:5+1", "2:3+8", "2:12+4", "2:17+3", "2:20+1", "2:21+1", "2:22+0"])
        XCTAssertEqual(tokens[3].lexeme, "\"é😀\"")
        XCTAssertEqual(tokens[3].range.start.offset, 16)
    }

    func testLeadingSpaceIsRecorded() {
        let tokens = Lexer("show x.grad [0]").tokens()
        XCTAssertEqual(tokens.map(\.hasLeadingSpace), [true, true, false, false, true, false, false, false])
    }

    func testStringEscapes() {
        let cases: [(String, String)] = [
            ("\"a\\nb\"", "a\nb"), ("\"\\t\\r\\0\"", "\t\r\0"), ("\"\\\"\\\\\"", "\"\\"), ("'it\\'s'", "it's"),
            ("\"\\u{41}\\u{1F600}\"", "A😀"), ("'say \"hi\"'", "say \"hi\""), ("\"# no comment\"", "# no comment"),
        ]
        for (source, expected) in cases {
            XCTAssertEqual(Lexer(source).tokens().first?.kind, .string(expected), source)
        }
    }

    /// `StringEscaping.quoted` writes literals the lexer reads back to the same text, braces included
    /// (a lone `{` would otherwise start an interpolation).
    func testQuotedLiteralsReadBackToTheSameText() {
        let texts = ["plain", "a {b} c", "{{", "}", "tab\there", "line\nbreak", "quote \" and \\", "\u{7F}\u{1}x", "é😀 {x}", ""]
        for text in texts {
            let literal = StringEscaping.quoted(text)
            XCTAssertEqual(Lexer(literal).tokens().first?.kind, .string(text), literal)
        }
        XCTAssertEqual(StringEscaping.quoted("lr {lr}"), "\"lr {{lr}}\"")
    }

    func testIncompleteInput() {
        XCTAssertTrue(Lexer("method lora targets=[q_proj,").scan().isIncomplete)
        XCTAssertTrue(Lexer("set shape=(4,").scan().isIncomplete)
        XCTAssertTrue(Lexer("train \\").scan().isIncomplete)
        XCTAssertTrue(Lexer("train \\  ").scan().isIncomplete)
        XCTAssertFalse(Lexer("train steps=5").scan().isIncomplete)
        XCTAssertFalse(Lexer("set x=[1]").scan().isIncomplete)
        XCTAssertFalse(Lexer("generate \"[\"").scan().isIncomplete)
        XCTAssertFalse(Lexer("generate \"abc").scan().isIncomplete, "an unterminated string is an error, not more input")
        XCTAssertEqual(Lexer("a [ ( [").scan().unclosedBrackets.map(\.lexeme), ["[", "(", "["])
        XCTAssertEqual(Parser.parse(source: "method lora targets=[q_proj,").isIncomplete, true)
    }

    func testLexicalErrorsBecomeInvalidTokens() {
        let result = Lexer("set a=10k b=\"x").scan()
        XCTAssertEqual(result.tokens.map(\.description),
                       ["name(set)", "name(a)", "=", "invalid(10k)", "name(b)", "=", "invalid(\"x)", "end"])
        XCTAssertEqual(result.diagnostics.map(\.column), [7, 13])
    }

    func testVeryLongLineIsLinear() {
        let long = "generate \"" + String(repeating: "a", count: 1_000_000) + "\""
        let start = ContinuousClock.now
        let result = Parser.parse(source: long)
        XCTAssertEqual(result.statements.first?.command?.positional.first?.string?.count, 1_000_000)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(20))
    }
}
