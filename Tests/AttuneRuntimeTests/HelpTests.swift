import AttuneLanguage
@testable import AttuneRuntime
import XCTest

final class HelpTests: XCTestCase {
    func testEveryCommandOfTheStandardTableIsRegistered() {
        for spec in CommandTable.standard.commands {
            XCTAssertNotNil(CommandRegistry.standard.command(named: spec.name), "\(spec.name) has no implementation")
        }
    }

    func testEveryCommandHasHelpWithAnExampleThatParses() {
        let interpreter = makeInterpreter()
        for command in CommandRegistry.standard.commands {
            XCTAssertFalse(command.help.details.isEmpty, command.name)
            XCTAssertFalse(command.help.examples.isEmpty, command.name)
            for example in command.help.examples {
                let parsed = interpreter.parse(example)
                XCTAssertFalse(parsed.hasErrors, "\(command.name) example '\(example)' does not parse: \(parsed.diagnostics)")
                XCTAssertEqual(parsed.statements.first?.command?.name, command.name, example)
            }
            for argument in command.schema.arguments { XCTAssertFalse(argument.help.isEmpty, "\(command.name) \(argument.name)") }
            let text = ok(interpreter, "help \(command.name)")
            XCTAssertTrue(text.hasPrefix(command.spec.usage), text)
        }
    }

    func testHelpListsEveryCommandAsAvailable() {
        let text = ok(makeInterpreter(), "help")
        XCTAssertTrue(text.contains("model new"))
        XCTAssertTrue(text.contains("Run training steps with live progress; Ctrl-C stops cleanly."))
        XCTAssertFalse(text.contains("Run training steps with live progress; Ctrl-C stops cleanly. (not yet)"))
        // Every command of the surface is bound now, so none is marked as planned.
        XCTAssertFalse(text.contains("(not yet)"), text)
        for command in ["sweep", "eval", "compare", "adapter load", "export trl"] { XCTAssertTrue(text.contains(command), command) }
        XCTAssertFalse(text.contains("Set hyperparameters such as lr, batch, accum, seq, schedule, warmup, epochs. (not yet)"))
    }

    func testEveryHyperparameterHasHelp() {
        let interpreter = makeInterpreter()
        for spec in HyperparameterTable.all {
            let text = ok(interpreter, "?\(spec.name)")
            XCTAssertTrue(text.hasPrefix("\(spec.name) — \(spec.meaning)"), text)
            XCTAssertTrue(text.contains("current "), spec.name)
            XCTAssertTrue(text.contains("example      set \(spec.name)="), spec.name)
        }
    }

    func testQuestionMarkLrShowsCurrentValueAndRecommendedRanges() {
        let interpreter = makeInterpreter()
        ok(interpreter, "set lr=3e-4")
        let text = ok(interpreter, "?lr")
        XCTAssertTrue(text.contains("current      3e-4 (default 2e-4)"), text)
        XCTAssertTrue(text.contains("full fine-tuning 1e-5 … 5e-5 · LoRA 1e-4 … 3e-4 · QLoRA 2e-4 … 5e-4"), text)
        XCTAssertTrue(text.contains("too high     the loss spikes"), text)
        XCTAssertTrue(text.contains("too low      the loss falls very slowly"), text)
    }

    func testTopics() {
        let interpreter = makeInterpreter()
        XCTAssertEqual(ok(interpreter, "help syntax"), Grammar.text)
        XCTAssertTrue(ok(interpreter, "help names").contains("layers.N.attn.q_proj    model.layers.N.self_attn.q_proj.weight"))
        XCTAssertTrue(ok(interpreter, "help hyperparameters").contains("weight_decay"))
        XCTAssertTrue(ok(interpreter, "help data").contains("data split train= val= [test=] [seed=]"))
        XCTAssertTrue(ok(interpreter, "help learning_rate").hasPrefix("'learning_rate' is called 'lr' in Attune."))
        XCTAssertEqual(failure(interpreter, "help trian").message, "line 1, column 6: no help on 'trian' — did you mean 'train'?")
    }
}
