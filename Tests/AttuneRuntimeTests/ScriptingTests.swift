import AttuneLanguage
import AttuneNotebook
import XCTest
@testable import AttuneRuntime

/// The evaluator: values, expressions, control flow and functions, each rule with its output or
/// its error (name, line, column, message), commands' records, and what a cell records.
final class ScriptingTests: XCTestCase {
    /// The lines a source printed (its stream outputs), or its error.
    private func printed(_ interpreter: Interpreter, _ source: String) -> String {
        let run = interpreter.run(source: source)
        if let error = run.firstError { return "\(error.name): \(error.message)" }
        return run.outcomes.flatMap(\.output.stream).joined(separator: "\n")
    }

    private func assertPrinted(_ cases: [(String, String)], file: StaticString = #filePath, line: UInt = #line) {
        for (source, expected) in cases {
            XCTAssertEqual(printed(makeInterpreter(), source), expected, source, file: file, line: line)
        }
    }

    func testExpressions() {
        assertPrinted([
            ("print 1 + 2 * 3, (1 + 2) * 3, 7 / 2, 7 % 3, -7 % 3, 2e-4 * 2, 90%", "7 9 3.5 1 2 4e-4 0.9"),
            ("print 1 < 2, 2 <= 1, \"a\" < \"b\", 1 == 1.0, [1, 2] == [1, 2], {a: 1} != {a: 2}", "true false true true true true"),
            ("print true and false, true or false, not true, 2 in [1, 2], \"b\" in \"abc\", \"a\" in {a: 1}, 3 not in [1]",
             "false true false true true true true"),
            ("let xs = [10, 20, 30, 40]\nprint xs[0], xs[-1], xs[1:3], xs[:2], xs[2:], xs[-2:], xs[5:], \"hello\"[1:3]",
             "10 40 [20, 30] [10, 20] [30, 40] [30, 40] [] el"),
            ("let r = {lr: 2e-4, steps: 20, nested: {a: [1, 2]}}\nprint r.lr, r.nested.a[1], r[\"steps\"], r", "2e-4 2 20 {lr: 2e-4, steps: 20, nested: {a: [1, 2]}}"),
            ("print \"lr {1e-4} {{literal}} {[1, 'a']}\", none, [none, true, \"q\"]", "lr 1e-4 {literal} [1, \"a\"] none [none, true, \"q\"]"),
            ("print \"a\" + \"b\", [1] + [2], len(\"abc\"), len([1, 2]), len({a: 1})", "ab [1, 2] 3 2 1"),
        ])
    }

    func testBuiltins() {
        assertPrinted([
            ("let xs = [3, 1, 2]\nprint min(xs), max(xs), sum(xs), mean(xs), min(4, 5), max(4, 5, 6)", "1 3 6 2 4 6"),
            ("print abs(-2.5), round(2.5), round(3.14159, 2), sqrt(9), exp(0), log(1), format(2 / 3, 3), str(2e-4) + \"!\"",
             "2.5 3 3.14 3 1 0 0.667 2e-4!"),
            ("print range(3), range(1, 4), range(10, 0, -3), sort([3, 1, 2]), sort([\"b\", \"a\"]), sum([])",
             "[0, 1, 2] [1, 2, 3] [10, 7, 4, 1] [1, 2, 3] [\"a\", \"b\"] 0"),
            ("print argmin([3, 1, 1]), argmax([1, 3, 3])", "1 1"),
        ])
    }

    func testControlFlowAndFunctions() {
        assertPrinted([
            ("for i in range(5) {\n  if i == 1 { continue }\n  if i == 3 { break }\n  print i\n}", "0\n2"),
            ("let x = 5\nif x > 3 { print \"big\" } else if x > 1 { print \"mid\" } else { print \"small\" }", "big"),
            ("let x = 2\nif x > 3 { print \"big\" } else if x > 1 { print \"mid\" } else { print \"small\" }", "mid"),
            ("let x = 0\nif x > 3 { print \"big\" } else { print \"small\" }", "small"),
            ("fn fact(n) {\n  if n <= 1 { return 1 }\n  return n * fact(n - 1)\n}\nprint fact(10)", "3628800"),
            ("fn nothing() {\n}\nprint nothing()", "none"),
            ("fn first_big(xs) {\n  for x in xs {\n    if x > 2 { return x }\n  }\n  return none\n}\nprint first_big([1, 5, 7])", "5"),
            // Assignment changes the nearest variable; let shadows inside a block.
            ("let total = 0\nfor x in [1, 2, 3] { total = total + x }\nprint total", "6"),
            ("let x = 1\nif true { let x = 2\n print x }\nprint x", "2\n1"),
            ("for c in \"ab\" { print c }", "a\nb"),
            ("let n = 0\nfn bump() { n = n + 1 }\nbump()\nbump()\nprint n", "2"),
        ])
    }

    func testErrorsNameTheirColumns() {
        assertPrinted([
            ("let r = {val_loss: 1}\nprint r.val_los", "NameError: line 2, column 9: a record has no field 'val_los' — did you mean 'val_loss'? (fields: val_loss)"),
            ("print 1 + \"a\"", "TypeError: line 1, column 7: cannot apply '+' to a number and a string; to put a value in a string write \"…{x}…\""),
            ("print lossses", "NameError: line 1, column 7: unknown name 'lossses'; define it first, e.g. let lossses = 1"),
            ("let losses = []\nprint lossses", "NameError: line 2, column 7: unknown name 'lossses' — did you mean 'losses'?"),
            ("print mni([1])", "NameError: line 1, column 7: unknown name 'mni' — did you mean 'min'?"),
            ("print train", "NameError: line 1, column 7: 'train' is a command, not a value: run it on its own line, or bind its result, e.g. r = train …"),
            ("let xs = [1]\nprint xs[3]", "TypeError: line 2, column 10: index 3 is out of range: there is 1 item (0 to 0, or -1 for the last)"),
            ("print 1 / 0", "TypeError: line 1, column 11: division by zero: 0 is 0"),
            ("if 1 { print 1 }", "TypeError: line 1, column 4: the condition of if must be true or false, not a number (1); compare it, e.g. x > 0"),
            ("for x in 3 { }", "TypeError: line 1, column 10: for goes over a list (or the characters of a string), not a number; e.g. for i in range(3) { … }"),
            ("assert 1 > 2", "AssertionError: line 1, column 8: assertion failed: 1 > 2"),
            ("let best = 3\nassert best < 2, \"best is {best}\"", "AssertionError: line 2, column 8: best is 3"),
            ("print min([])", "TypeError: line 1, column 11: min of an empty list"),
            ("print min(\"a\")", "TypeError: line 1, column 11: min takes a list of numbers, e.g. min([1, 2, 3]), not a string"),
            ("print round(1, 2, 3)", "TypeError: line 1, column 7: round takes 1 to 2 arguments, got 3: round(x) or round(x, digits)"),
            ("fn f(a) { return a }\nprint f()", "TypeError: line 2, column 7: f takes 1 argument (a), got 0"),
            ("let x = 3\nprint x(1)", "TypeError: line 2, column 7: x is a number, not a function"),
            ("let n = 3\nprint n.loss", "TypeError: line 2, column 7: n is a number, which has no fields"),
            ("fn deep(n) { return deep(n + 1) }\nprint deep(0)",
             "RecursionError: line 1, column 21: calls nest deeper than 200 (in deep): a function that calls itself needs a case that returns without calling again"),
        ])
    }

    func testRecursionAtTheLimitStillWorks() {
        XCTAssertEqual(printed(makeInterpreter(), "fn down(n) {\n  if n == 0 { return 0 }\n  return 1 + down(n - 1)\n}\nprint down(199)"), "199")
    }

    /// A function written in one cell and failing when called from another shows the error at the call.
    func testErrorsInsideFunctionsOfEarlierCellsPointAtTheCall() {
        let interpreter = makeInterpreter()
        XCTAssertFalse(interpreter.run(source: "fn half(x) {\n  return x / 0\n}").failed)
        XCTAssertEqual(printed(interpreter, "print 1\nprint half(4)"),
                       "TypeError: line 2, column 7: in half (line 2, column 14 of the cell that defines it): division by zero: 0 is 0")
    }

    func testVariablesOutliveTheCell() {
        let interpreter = makeInterpreter()
        XCTAssertEqual(printed(interpreter, "let steps = 10\nfn twice(x) { return 2 * x }"), "")
        XCTAssertEqual(printed(interpreter, "print twice(steps)"), "20")
        XCTAssertEqual(interpreter.session.variables.lookup("steps"), .number(10))
    }

    /// The argument rule: a bound name is its value, a parenthesised expression is evaluated,
    /// everything else stays a word.
    func testArgumentRule() {
        let interpreter = makeInterpreter(tiny: true)
        XCTAssertEqual(ok(interpreter, "let base_lr = 1e-4\nset lr=(base_lr * 2)"), "lr=2e-4 (seed 42)")
        XCTAssertEqual(interpreter.session.hyperparameters[.lr], .number(2e-4))
        XCTAssertEqual(ok(interpreter, "for lr in [3e-4] { set lr=lr }"), "lr=3e-4 (seed 42)")
        XCTAssertEqual(ok(interpreter, "let s = \"linear\"\nset schedule=s"), "schedule=linear (seed 42)")
        XCTAssertEqual(ok(interpreter, "method lora targets=all-linear").components(separatedBy: " · ").first,
                       "method lora r=16 alpha=32 targets=[all-linear] dropout=0.05")
        XCTAssertTrue(ok(interpreter, "list layers.*.attn.q_proj").hasPrefix("2 tensors"))
        XCTAssertTrue(ok(interpreter, "let n = 3\nset warmup=(n + 1) steps=n").hasPrefix("warmup=4 steps=3 (seed 42)"))
        XCTAssertEqual(failure(interpreter, "let r = {steps: 2}\ntrain steps=r.steps").message,
                       "line 2, column 13: in a command's arguments r.steps is a word; to use the value of r's field write (r.steps)")
        XCTAssertEqual(failure(interpreter, "set lr=(\"x\" * 2)").message,
                       "line 1, column 9: cannot apply '*' to a string and a number")
        XCTAssertEqual(failure(interpreter, "set lr=({a: 1})").message,
                       "line 1, column 8: ({a: 1}) gives a record; a command takes numbers, text, true or false, words and lists")
        XCTAssertEqual(failure(interpreter, "let lr = \"fast\"\nset lr=lr").message, "line 2, column 8: lr must be a number greater than 0 and at most 1 (got a string \"fast\"); the guide recommends 1e-4 … 3e-4 for LoRA")
    }

    func testAssigningAHyperparameterNameWarns() {
        let interpreter = makeInterpreter()
        XCTAssertEqual(ok(interpreter, "lr=2e-4"), "warning: lr is now a variable, not the hyperparameter: to change it write set lr=lr")
        XCTAssertEqual(ok(interpreter, "lr=3e-4"), "", "only when it makes the variable")
        XCTAssertEqual(ok(interpreter, "let batch = 4"), "", "let says what it means")
    }

    /// Commands return records: train, eval, data check, model info.
    func testCommandsReturnRecords() throws {
        let interpreter = try interpreterWithData()
        ok(interpreter, "method lora r=4 alpha=8 targets=[q_proj, v_proj]\nset lr=3e-3 batch=4 seq=768 warmup=0 schedule=constant eval_every=2\ndata split train=0.75 val=0.25")
        let run = interpreter.run(source: """
            r = train steps=4
            e = eval samples=2
            m = model info
            d = data check
            print len(r.losses), r.steps, r.loss == r.losses[-1], r.val_loss > 0, r.best_step, r.run, r.stopped
            print e.loss > 0, e.perplexity > 1, e.count, e.json_rate
            print m.layers, m.dim, m.heads, m.vocab
            print d.duplicates.state, d.examples, d.status
            """)
        XCTAssertNil(run.firstError.map { "\($0)" })
        XCTAssertEqual(run.outcomes.flatMap(\.output.stream).suffix(4), [
            "4 4 true true 4 \"run1\" false".replacingOccurrences(of: "\"", with: ""),
            "true true 6 none",
            "2 64 4 259",
            "ok 24 \(try XCTUnwrap(interpreter.session.variables.lookup("d").flatMap { if case .record(let r) = $0 { return r["status"]?.displayText } else { return nil } }))",
        ])
        guard case .record(let train)? = interpreter.session.variables.lookup("r") else { return XCTFail("r is not a record") }
        XCTAssertEqual(train.kind, "train result")
        XCTAssertEqual(Array(train.names.prefix(4)), ["loss", "val_loss", "best_step", "best_val_loss"])
        XCTAssertEqual(train.names.last, "text")
        XCTAssertTrue(train["text"]?.displayText.hasPrefix("trained 4 steps (run1") ?? false)
        // show NAME prints the result again; help NAME lists the fields; compare reads the evaluation.
        XCTAssertTrue(ok(interpreter, "show r").hasPrefix("r = r = train steps=4\ntrained 4 steps"))
        let help = ok(interpreter, "help r")
        XCTAssertTrue(help.hasPrefix("r: a train result (r = train steps=4)\n  loss "), help)
        XCTAssertTrue(help.split(separator: "\n").contains { $0.hasPrefix("  losses ") && $0.contains("[4 numbers: ") }, help)
        XCTAssertTrue(ok(interpreter, "let copy = e\ncompare copy e").hasPrefix("compare copy vs e on "))
        XCTAssertEqual(printed(interpreter, "print r.val_los"),
                       "NameError: line 1, column 9: a train result has no field 'val_los' — did you mean 'val_loss'? (fields: \(train.names.joined(separator: ", ")))")
        let completer = Completer(registry: interpreter.registry, session: interpreter.session)
        XCTAssertEqual(completer.complete("print r.val").candidates, ["r.val_loss", "r.val_losses"])
        XCTAssertEqual(completer.complete("print d.dup").candidates, ["d.duplicates"])
        XCTAssertTrue(completer.complete("print co").candidates.contains("copy"))
    }

    /// A loop's commands and prints are recorded in the cell in the order they ran.
    func testALoopRecordsItsOutputsInOrder() throws {
        let interpreter = makeInterpreter(tiny: true)
        let run = interpreter.run(source: "for lr in [1e-4, 2e-4] {\n  print \"lr {lr}\"\n  set lr=lr\n}\nprint \"done\"")
        XCTAssertEqual(run.cellOutputs.map { "\($0.kind): \($0.text)" }, [
            "stream: lr 1e-4", "result: lr=1e-4 (seed 42)", "stream: lr 2e-4", "result: lr=2e-4 (seed 42)", "stream: done",
        ])
    }

    /// Ctrl-C between two statements of a loop ends the loop and keeps the session; a replay of
    /// the recorded cell stops at the same statement.
    func testInterruptingALoopBetweenStatements() {
        let interpreter = makeInterpreter()
        interpreter.session.safePoints.stopAt = 3
        let run = interpreter.run(source: "let n = 0\nfor i in range(10) {\n  n = n + 1\n  print i\n}")
        interpreter.session.safePoints.stopAt = nil
        XCTAssertFalse(run.failed)
        XCTAssertEqual(run.stoppedAtSafePoint, 3)
        XCTAssertEqual(run.outcomes.flatMap(\.output.stream), ["0", "interrupted (Ctrl-C): stopped before line 3"])
        XCTAssertEqual(interpreter.session.variables.lookup("n"), .number(1))
        XCTAssertEqual(printed(interpreter, "print n + 1"), "2", "the session goes on")
    }
}
