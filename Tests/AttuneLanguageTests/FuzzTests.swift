import Essentials
import AttuneLanguage
import XCTest

/// Random bytes, token soups and mutated scripts: every input gives statements or diagnostics,
/// never a crash or a hang, and every diagnostic points inside the source.
final class FuzzTests: XCTestCase {

    private static let fragments = [
        "model", "load", "data", "check", "train", "trian", "set", "lr", "=", "==", "2e-4", "-1", "90%", "%", "0.9", ".5",
        "1_000", "1e999", "\"", "'", "\"str\"", "'s'", "\\", "\\n", "\\u{", "}", "{", "[", "]", "(", ")", ",", ":", "::",
        ".", "..", "*", "layers", ".0", ".grad", "[0:4, :8]", "[-1]", "?", "?lr", "#", "# comment", "true", "false",
        "base", "=", "eval", "compare", "-", "--x", "all-linear", "é", "😀", "“", "”", "\u{0}", "\u{1B}", "\r", ";",
        "/", "~", "@", "x" , "q_*",
    ]
    private static let separators = ["", " ", " ", " ", "\n", "\t", "\r\n", " \\\n"]

    /// The scripting syntax: keywords, operators, blocks, records, interpolation.
    private static let scriptFragments = [
        "let", "x", "=", "for", "in", "if", "else", "fn", "f(", "return", "break", "continue", "print", "assert", ",",
        "{", "}", "{a: 1}", "[1, 2]", "(", ")", "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "and", "or",
        "not", "none", "r.val_loss", "xs[0]", "xs[1:]", "\"lr {lr}\"", "\"{{\"", "\"}\"", "\"{\"", "\"{x\"", "\"{\"{y}\"}\"",
        "min(xs)", "range(3)", "n-1", "2*x", "!", "&&", "**", "train", "set lr=(x * 2)", "steps=(n", "\n", "\n}", "1e-4", "90%",
    ]

    private static let scriptingScript = """
        let rates = [1e-4, 3e-4, 1e-3]
        let losses = []
        fn describe(lr, loss) {
          if loss < 2 and not (lr > 1) {
            return "lr {lr}: {format(loss, 3)} {{ok}}"
          } else if loss == none {
            return "none"
          } else {
            return "lr {lr}: high"
          }
        }
        for lr in rates {
          set lr=lr
          r = train steps=(10 * 2)
          losses = losses + [r.val_loss]
          if len(losses) > 2 { break }
          print describe(lr, r.val_loss)
        }
        assert min(losses) < 3, "best {min(losses)}"
        print "{rates[argmin(losses)]} {losses[1:]} {{x}}"
        """

    func testScriptingTokenSoup() {
        var generator = SplitMix64(seed: 5)
        for _ in 0..<3_000 {
            var source = ""
            for _ in 0..<Int.random(in: 0...30, using: &generator) {
                source += (Bool.random(using: &generator) ? Self.scriptFragments : Self.fragments).randomElement(using: &generator)!
                source += Self.separators.randomElement(using: &generator)!
            }
            check(source)
        }
    }

    func testMutatedScriptingScripts() {
        var generator = SplitMix64(seed: 6)
        let original = Array(Self.scriptingScript.unicodeScalars)
        XCTAssertEqual(Parser.parse(source: Self.scriptingScript).diagnostics, [])
        for _ in 0..<1_000 {
            var scalars = original
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let at = Int.random(in: 0...scalars.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0 where at < scalars.count:
                    scalars.remove(at: at)
                case 1:
                    scalars.insert(contentsOf: Self.scriptFragments.randomElement(using: &generator)!.unicodeScalars, at: at)
                case 2 where at + 1 < scalars.count:
                    scalars.swapAt(at, at + 1)
                default:
                    let end = min(scalars.count, at + Int.random(in: 1...20, using: &generator))
                    scalars.insert(contentsOf: scalars[at..<end], at: at)
                }
            }
            check(String(String.UnicodeScalarView(scalars)))
        }
    }

    func testDeepScriptingNestingIsRefused() {
        for opener in ["let x = -", "let x = not ", "let x = (", "let x = {a: ", "if x {\n", "let x = \"{", "let x = f("] {
            let deep = String(repeating: opener, count: 5_000)
            XCTAssertTrue(Parser.parse(source: deep).hasErrors, opener)
        }
    }

    private static let script = """
        model load smollm2                      # built-in name
        model new tiny layers=2 dim=64 heads=4
        data load "Notebooks/data/support.jsonl"
        data split train=0.9 val=10% seed=42
        method lora r=16 alpha=32 targets=[q_proj, v_proj] dropout=0.05
        set lr=2e-4 batch=4 accum=4 seq=256 schedule=cosine warmup=10 epochs=1
        train steps=50
        base = eval
        show layers.0.attn.q_proj.lora_B[0:4, :8]
        list layers.*.attn.*
        compare base tuned on=val[0:5]
        sweep lr=[1e-4, 3e-4, 1e-3] steps=40
        export gguf "out/support.gguf" merge=true
        ?lr
        """

    func testRandomBytes() {
        var generator = SplitMix64(seed: 1)
        for _ in 0..<2_000 {
            let count = Int.random(in: 0...200, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            check(String(decoding: bytes, as: UTF8.self))
        }
    }

    func testRandomPrintableASCII() {
        var generator = SplitMix64(seed: 2)
        for _ in 0..<2_000 {
            let count = Int.random(in: 0...120, using: &generator)
            let scalars = (0..<count).map { _ in Unicode.Scalar(UInt8.random(in: 9...126, using: &generator)) }
            check(String(String.UnicodeScalarView(scalars)))
        }
    }

    func testTokenSoup() {
        var generator = SplitMix64(seed: 3)
        for _ in 0..<3_000 {
            var source = ""
            for _ in 0..<Int.random(in: 0...30, using: &generator) {
                source += Self.fragments.randomElement(using: &generator)!
                source += Self.separators.randomElement(using: &generator)!
            }
            check(source)
        }
    }

    func testMutatedScripts() {
        var generator = SplitMix64(seed: 4)
        let original = Array(Self.script.unicodeScalars)
        for _ in 0..<1_000 {
            var scalars = original
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let at = Int.random(in: 0...scalars.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0 where at < scalars.count:
                    scalars.remove(at: at)
                case 1:
                    let fragment = Self.fragments.randomElement(using: &generator)!
                    scalars.insert(contentsOf: fragment.unicodeScalars, at: at)
                case 2 where at + 1 < scalars.count:
                    scalars.swapAt(at, at + 1)
                default:
                    let end = min(scalars.count, at + Int.random(in: 1...20, using: &generator))
                    scalars.insert(contentsOf: scalars[at..<end], at: at)
                }
            }
            check(String(String.UnicodeScalarView(scalars)))
        }
    }

    func testDeepNestingDoesNotOverflowTheStack() {
        for opener in ["[", "(", "x[", "[(", "set x="] {
            let deep = "set x=" + String(repeating: opener, count: 100_000)
            let result = Parser.parse(source: deep)
            XCTAssertTrue(result.hasErrors)
            check(String(deep.prefix(2_000)))
        }
        let closed = "set x=" + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        XCTAssertEqual(Parser.parse(source: closed).diagnostics.map(\.message),
                       ["brackets nest too deeply (more than 64 levels)"])
    }

    func testManyLinesOfErrorsAreAllReported() {
        let source = String(repeating: "trian\n", count: 5_000)
        let result = Parser.parse(source: source)
        XCTAssertEqual(result.diagnostics.count, 5_000)
        XCTAssertEqual(result.diagnostics.last?.line, 5_000)
    }

    /// The properties every parse must have.
    private func check(_ source: String, file: StaticString = #filePath, line: UInt = #line) {
        let result = Parser.parse(source: source)
        let scalars = Array(source.unicodeScalars)
        let lineCount = scalars.filter { $0 == "\n" }.count + 1
        let context = "source: \(source.debugDescription)"

        // Something that is not blank or a comment gives a statement or a diagnostic.
        let tokens = Lexer(source).tokens().filter { $0.kind != .newline && $0.kind != .end }
        if !tokens.isEmpty {
            XCTAssertFalse(result.statements.isEmpty && result.diagnostics.isEmpty, context, file: file, line: line)
        }

        for diagnostic in result.diagnostics {
            XCTAssertGreaterThanOrEqual(diagnostic.column, 1, context, file: file, line: line)
            XCTAssertGreaterThanOrEqual(diagnostic.length, 1, context, file: file, line: line)
            XCTAssertTrue((1...lineCount).contains(diagnostic.line), context, file: file, line: line)
            XCTAssertLessThanOrEqual(diagnostic.range.end.offset, scalars.count, context, file: file, line: line)
            XCTAssertEqual(position(of: diagnostic.range.start.offset, in: scalars),
                           [diagnostic.line, diagnostic.column], context, file: file, line: line)
            XCTAssertFalse(diagnostic.message.isEmpty, context, file: file, line: line)
            let rendered = diagnostic.render(source: source)
            XCTAssertTrue(rendered.hasPrefix("line \(diagnostic.line), column \(diagnostic.column): "), context,
                          file: file, line: line)
            XCTAssertEqual(rendered.split(separator: "\n", omittingEmptySubsequences: false).count, 3, context,
                           file: file, line: line)
        }

        for statement in result.statements {
            let range = statement.range
            XCTAssertLessThanOrEqual(range.end.offset, scalars.count, context, file: file, line: line)
            XCTAssertEqual(statement.text, String(String.UnicodeScalarView(scalars[range.start.offset..<range.end.offset])),
                           context, file: file, line: line)
            // A statement's own text parses alone to the same tree.
            let alone = Parser.parse(source: statement.text)
            XCTAssertEqual(alone.statements.map(\.description), [statement.description], context, file: file, line: line)
        }

        XCTAssertEqual(Parser.parse(source: source), result, "parsing is deterministic; " + context, file: file, line: line)
    }

    /// 1-based line and column of a scalar offset, counted independently of the lexer.
    private func position(of offset: Int, in scalars: [Unicode.Scalar]) -> [Int] {
        var line = 1
        var column = 1
        for scalar in scalars.prefix(offset) {
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return [line, column]
    }
}
