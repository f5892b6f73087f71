import Essentials
@testable import AttuneRuntime
import XCTest

/// Random and mutated statements thrown at the interpreter: nothing may crash it, and the
/// session must keep answering afterwards.
final class FuzzTests: XCTestCase {
    /// A small deterministic generator (SplitMix64) so failures reproduce.
    struct Generator {
        var splitMix: SplitMix64
        init(state: UInt64) { splitMix = SplitMix64(seed: state) }
        mutating func next() -> UInt64 { splitMix.next() }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { next() % 100 < percent }
    }

    static let commands = CommandRegistry.standard.commands.map(\.spec.name) + ["?", "help", "x = model info", "trian", "model", "set"]
    static let keys = HyperparameterTable.names + CommandRegistry.standard.commands.flatMap(\.schema.names) + ["zz", "lerning_rate", ""]
    static let values = ["0", "1", "-1", "2", "3", "8", "64", "2.5", "1e-4", "1e308", "-1e308", "1e-320", "90%", "150%", "-0", "true", "false",
                         "tiny", "cosine", "\"\"", "\"x.jsonl\"", "\"../../etc/passwd\"", "\"/\"", "[]", "[q_proj, v_porj]", "[1, [2, [3]]]",
                         "(4, 8)", "layers.0.attn.q_proj", "embed[0:2, :4]", "embed[-1]", "embed[999]", "norm[::3]", "embed[1:0]",
                         "layers.*.attn.*", "layers.0.attn.q_proj.grad", "model.norm.weight[0]", "\"\\u{1F600}\"", "[,]", "nan", "smollm2",
                         "\"<|im_start|>user\"", "\"" + String(repeating: "é", count: 300) + "\"", "lm_head", "*", "**", "embed[0:1, 0:1, 0:1]"]

    /// Scripts of the scripting language with random edits run through the evaluator (fixed seed
    /// and count): every run ends with outputs or an error that points inside its source.
    func testMutatedScriptsNeverCrash() {
        var generator = Generator(state: 20_261_203)
        let script = """
            let xs = [3, 1, 2]
            let r = {loss: 2.5, losses: [3, 2.5]}
            fn f(n) {
              if n <= 1 { return 1 }
              return n * f(n - 1)
            }
            for i in range(4) {
              if i == 1 { continue } else if i > 2 { break }
              print "i {i} {f(i)} {xs[i]} {r.losses[-1]} {{}}"
            }
            assert min(xs) == 1 and sum(xs) / len(xs) == 2, "mean {mean(xs)}"
            print sort(xs), argmax(xs), round(r.loss), abs(-1), sqrt(4), exp(0), log(1), format(1 / 3, 2), xs[1:] + [str(4)]
            """
        let pieces = ["+", "-", "*", "/", "0", "-1", "(", ")", "[", "]", "{", "}", "\n", ".", "r.", "f(", "xs", "none", "\"", "not ",
                      " and ", " or ", "range(", "1e308", "[]", "{}", "f(f(", "return ", "break", "= "]
        let interpreter = makeInterpreter(tiny: false)
        XCTAssertFalse(interpreter.run(source: script).failed)
        for _ in 0..<400 {
            var scalars = Array(script.unicodeScalars)
            for _ in 0..<(1 + generator.next() % 4) {
                let at = Int(generator.next() % UInt64(scalars.count + 1))
                if generator.chance(50), at < scalars.count {
                    scalars.remove(at: at)
                } else {
                    scalars.insert(contentsOf: generator.pick(pieces).unicodeScalars, at: at)
                }
            }
            let source = String(String.UnicodeScalarView(scalars))
            let run = interpreter.run(source: source)
            let lines = source.split(separator: "\n", omittingEmptySubsequences: false).count
            for error in run.outcomes.compactMap(\.error) {
                if let range = error.range { XCTAssertTrue((1...lines).contains(range.start.line), source) }
                XCTAssertFalse(error.message.isEmpty)
            }
        }
        XCTAssertFalse(interpreter.run(source: "print 1 + 1").failed, "the session still answers")
    }

    func testRandomStatementsNeverCrashAndTheSessionSurvives() {
        var generator = Generator(state: 20_261_129)
        // Confined to a temporary folder: fuzzed export and save commands must not litter the checkout.
        let interpreter = makeInterpreter(tiny: true, paths: .confined(to: temporaryFolder()))
        for iteration in 0..<3000 {
            var words = [generator.pick(Self.commands)]
            for _ in 0..<(generator.next() % 5) {
                if generator.chance(60) {
                    words.append(generator.pick(Self.keys) + "=" + generator.pick(Self.values))
                } else {
                    words.append(generator.pick(Self.values))
                }
            }
            var line = words.joined(separator: " ")
            if generator.chance(10), !line.isEmpty {
                // Mutate: drop, duplicate or replace one character.
                var scalars = Array(line.unicodeScalars)
                let index = Int(generator.next() % UInt64(scalars.count))
                switch generator.next() % 3 {
                case 0: scalars.remove(at: index)
                case 1: scalars.insert(scalars[index], at: index)
                default: scalars[index] = generator.pick(["[", "]", "\"", "=", "\\", "#", "\0", "\u{7}", "\n", ":", "?", "."])
                }
                line = String(String.UnicodeScalarView(scalars))
            }
            // Keep models small so the run stays fast: big sizes are refused by range anyway.
            if line.hasPrefix("model new") && line.contains("=64") && line.contains("layers") { continue }
            let run = interpreter.run(source: line)
            _ = run.cellOutputs
            _ = run.terminalText(streamShown: false)
            if iteration % 500 == 0 { XCTAssertFalse(interpreter.run(source: "set batch=4").failed) }
        }
        XCTAssertFalse(interpreter.run(source: "set lr=2e-4").failed)
        XCTAssertFalse(interpreter.run(source: "help").failed)
    }

    func testRandomBytesNeverCrash() {
        var generator = Generator(state: 7)
        // Confined to a temporary folder: fuzzed export and save commands must not litter the checkout.
        let interpreter = makeInterpreter(tiny: true, paths: .confined(to: temporaryFolder()))
        for _ in 0..<500 {
            let length = Int(generator.next() % 80)
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let text = String(decoding: bytes, as: UTF8.self)
            _ = interpreter.run(source: text).cellOutputs
            _ = Completer(registry: interpreter.registry, session: interpreter.session).complete(text)
        }
        let long = "set lr=" + String(repeating: "9", count: 1_000_000)
        XCTAssertTrue(interpreter.run(source: long).failed)
        XCTAssertFalse(interpreter.run(source: "model info").failed)
    }
}
