import AttuneLanguage
@testable import AttuneRuntime
import XCTest

final class CommandSurfaceTests: XCTestCase {
    func testEveryCommandOfTheSurfaceIsBound() {
        // Every statement of DESIGN §3a runs: each has a command in the registry.
        for spec in CommandTable.standard.commands {
            XCTAssertNotNil(CommandRegistry.standard.command(named: spec.name), spec.name)
        }
    }

    func testArgumentsAreCheckedBeforeSayingSo() {
        let interpreter = makeInterpreter()
        XCTAssertEqual(failure(interpreter, "train stepz=5").message, "line 1, column 7: train has no argument 'stepz' — did you mean 'steps'?")
        XCTAssertEqual(failure(interpreter, "train steps=0").message, "line 1, column 13: steps must be at least 1 (got 0)")
        XCTAssertEqual(failure(interpreter, "train steps=5 epochs=1").message, "line 1, column 15: give steps= or epochs=, not both")
        XCTAssertEqual(failure(interpreter, "data split train=0.9 val=0.2").message, "line 1, column 1: the shares add up to 1.1, not 1")
        XCTAssertEqual(failure(interpreter, "data split train=90% val=10%").name, "NoData")
        XCTAssertEqual(failure(interpreter, "data split train=1.5 val=0").message, "line 1, column 18: train must be between 0 and 1 (got 1.5)")
        XCTAssertTrue(failure(interpreter, "data split val=0.1").message.contains("data split needs train="))
        XCTAssertEqual(failure(interpreter, "data load \"x.jsonl\" format=chatml").message,
                       "line 1, column 28: format must be one of chat, instruction, completion or text (got 'chatml') — did you mean 'chat'?")
        XCTAssertEqual(failure(interpreter, "generate \"hi\" temperature=-1").message, "line 1, column 27: temperature must be at least 0 (got -1)")
        XCTAssertEqual(failure(interpreter, "sweep lerning_rate=[1e-4]").message, "line 1, column 7: unknown hyperparameter 'lerning_rate' — did you mean 'lr'?")
        XCTAssertTrue(failure(interpreter, "sweep lr=[1e-4, -1]").message.contains("lr must be greater than 0 (got -1)"))
        XCTAssertTrue(failure(interpreter, "data load").message.contains("data load needs PATH"))
    }
}
